package dev.holdfast.server.provisioning;

import dev.holdfast.provisioning.AttestationEvidence;
import dev.holdfast.provisioning.DpsJson;
import dev.holdfast.provisioning.ProvisioningRefusal;
import dev.holdfast.provisioning.ProvisioningRefusedException;
import dev.holdfast.provisioning.RegistrationOperation;
import dev.holdfast.provisioning.RegistrationRequest;
import dev.holdfast.provisioning.RegistrationService;
import dev.holdfast.provisioning.RegistrationStatus;
import dev.holdfast.provisioning.TpmChallengeIssuedException;
import dev.holdfast.server.http.ApiServer;
import dev.holdfast.server.http.RouteModule;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * DPS over HTTPS, wire-compatible with Azure DPS (PROTOCOLS.md): {@code PUT
 * /{idScope}/registrations/{registrationId}/register} answers 202 with {@code Retry-After} and the
 * operation; {@code GET /{idScope}/registrations/{registrationId}/operations/{operationId}} answers 200
 * with the registration state. X.509 attestation comes from the TLS client certificate the listener
 * requested; TPM attestation (docs/provisioning-tpm.md) comes in the body: the first PUT answers 401 with
 * the credential challenge, the second, with the activation, answers 200 with the assigned operation. Errors are Azure's {@code {"errorCode","trackingId","message","info"}}, not problem+json,
 * because device SDKs parse that shape.
 */
public final class DpsRoutes implements RouteModule {
    private static final Logger log = LoggerFactory.getLogger(DpsRoutes.class);
    private final RegistrationService service;

    public DpsRoutes(RegistrationService service) {
        this.service = service;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.put("/{idScope}/registrations/{registrationId}/register", this::register);
        routes.get("/{idScope}/registrations/{registrationId}/operations/{operationId}", this::status);
    }

    private void register(Context ctx) {
        byte[] body;
        try {
            body = readCapped(ctx);
        } catch (ProvisioningRefusedException e) {
            error(ctx, e.refusal(), ctx.pathParam("registrationId"));
            return;
        }
        try {
            AttestationEvidence evidence = evidence(ctx);
            RegistrationOperation op = service.register(ctx.pathParam("idScope"), ctx.pathParam("registrationId"), body, evidence, ctx.ip());
            if (evidence instanceof AttestationEvidence.None) {
                // Only a TPM activation succeeds without a client certificate. The device has nothing to
                // authenticate a later poll with, so it gets the decided operation in this answer.
                ctx.status(200).contentType("application/json; charset=utf-8").result(DpsJson.operation(op));
                return;
            }
            ctx.status(202).header("Retry-After", String.valueOf(service.retryAfterSeconds()))
                    .contentType("application/json; charset=utf-8").result(DpsJson.operation(op.asAssigning()));
        } catch (TpmChallengeIssuedException e) {
            ctx.status(401).contentType("application/json; charset=utf-8").result(DpsJson.tpmChallenge(e, DpsJson.newTrackingId()));
        } catch (ProvisioningRefusedException e) {
            error(ctx, e.refusal(), ctx.pathParam("registrationId"));
        }
    }

    private void status(Context ctx) {
        try {
            RegistrationOperation op = service.operationStatus(ctx.pathParam("idScope"), ctx.pathParam("registrationId"), ctx.pathParam("operationId"),
                    evidence(ctx), ctx.ip());
            if (op.status() == RegistrationStatus.ASSIGNING) ctx.status(202).header("Retry-After", String.valueOf(service.retryAfterSeconds()));
            else ctx.status(200);
            ctx.contentType("application/json; charset=utf-8").result(DpsJson.operation(op));
        } catch (ProvisioningRefusedException e) {
            error(ctx, e.refusal(), ctx.pathParam("registrationId"));
        }
    }

    private static AttestationEvidence evidence(Context ctx) {
        List<X509Certificate> chain = ApiServer.clientCertificates(ctx);
        return chain.isEmpty() ? new AttestationEvidence.None() : new AttestationEvidence.X509(chain);
    }

    private static byte[] readCapped(Context ctx) {
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] b = in.readNBytes(RegistrationRequest.MAX_BODY_BYTES + 1);
            if (b.length > RegistrationRequest.MAX_BODY_BYTES) {
                throw new ProvisioningRefusal(413, 413001, "body-too-large", "registration body exceeds " + RegistrationRequest.MAX_BODY_BYTES + " bytes").exception();
            }
            return b;
        } catch (IOException e) {
            throw ProvisioningRefusal.malformed("unreadable-body", "the request body could not be read").exception(e);
        }
    }

    private void error(Context ctx, ProvisioningRefusal r, String registrationId) {
        String tracking = DpsJson.newTrackingId();
        log.debug("DPS refusal {} for '{}' from {} (trackingId {}): {}", r.code(), registrationId, ctx.ip(), tracking, r.message());
        if (r.httpStatus() == 429 || r.httpStatus() == 503) ctx.header("Retry-After", "5");
        ctx.status(r.httpStatus()).contentType("application/json; charset=utf-8").result(DpsJson.error(r, tracking));
    }
}
