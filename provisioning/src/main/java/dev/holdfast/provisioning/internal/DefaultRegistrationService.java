package dev.holdfast.provisioning.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventSink;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.CertificateAuthority;
import dev.holdfast.pki.IssuanceRequest;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.MalformedInputException;
import dev.holdfast.pki.Refusal;
import dev.holdfast.pki.RefusedException;
import dev.holdfast.pki.SubjectAuthorization;
import dev.holdfast.pki.spi.EnrollmentAuthorizer;
import dev.holdfast.provisioning.AttestationEvidence;
import dev.holdfast.provisioning.Enrollment;
import dev.holdfast.provisioning.EnrollmentAttestation;
import dev.holdfast.provisioning.EnrollmentSettings;
import dev.holdfast.provisioning.Ids;
import dev.holdfast.provisioning.LinkedHub;
import dev.holdfast.provisioning.ManufacturerCa;
import dev.holdfast.provisioning.ProvisioningRefusal;
import dev.holdfast.provisioning.ProvisioningRefusedException;
import dev.holdfast.provisioning.RegistrationOperation;
import dev.holdfast.provisioning.RegistrationRequest;
import dev.holdfast.provisioning.RegistrationService;
import dev.holdfast.provisioning.RegistrationState;
import dev.holdfast.provisioning.RegistrationStatus;
import dev.holdfast.provisioning.Substatus;
import dev.holdfast.provisioning.TpmChallengeIssuedException;
import dev.holdfast.provisioning.tpm.AttestedKey;
import dev.holdfast.provisioning.tpm.TpmAttestation;
import dev.holdfast.registry.Authentication;
import dev.holdfast.registry.Capabilities;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceRegistry;
import dev.holdfast.registry.DeviceUpdate;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.NewDevice;
import dev.holdfast.registry.Precondition;
import dev.holdfast.registry.RegistryRefusedException;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The registration logic of {@link RegistrationService}: decided synchronously, stored as an operation,
 * every outcome an event. Registrations of one registration id are serialized on this node (striped
 * locks), so a retry racing its original returns the same operation instead of issuing twice.
 */
public final class DefaultRegistrationService implements RegistrationService {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JdbcProvisioningStore store;
    private final String idScope;
    private final CertificateAuthority ca;
    private final DeviceRegistry devices;
    private final EventSink events;
    private final Clock clock;
    private final Allocator allocator;
    private final RateLimits limits;
    private final X509Attestor x509 = new X509Attestor();
    private final Duration operationFreshness;
    private final int retryAfter;
    private final ReentrantLock[] stripes = new ReentrantLock[64];
    /** Null when TPM attestation is off. */
    private final TpmAttestor tpm;

    public DefaultRegistrationService(JdbcProvisioningStore store, String idScope, CertificateAuthority ca, DeviceRegistry devices, EventSink events,
                                      Clock clock, Allocator allocator, RateLimits limits, Duration operationFreshness, int retryAfterSeconds,
                                      TpmAttestation tpmAttestation) {
        this.tpm = tpmAttestation == null ? null : new TpmAttestor(tpmAttestation, store);
        this.store = store;
        this.idScope = idScope;
        this.ca = ca;
        this.devices = devices;
        this.events = events;
        this.clock = clock;
        this.allocator = allocator;
        this.limits = limits;
        this.operationFreshness = operationFreshness;
        this.retryAfter = retryAfterSeconds;
        for (int i = 0; i < stripes.length; i++) stripes[i] = new ReentrantLock();
    }

    @Override
    public int retryAfterSeconds() {
        return retryAfter;
    }

    @Override
    public RegistrationOperation register(String scope, String registrationId, byte[] body, AttestationEvidence evidence, String source) {
        try {
            requireScope(scope);
            Ids.requireRegistrationId(registrationId);
            limits.checkSource(source);
            RegistrationRequest request;
            try {
                request = RegistrationRequest.parse(body);
            } catch (MalformedInputException e) {
                throw ProvisioningRefusal.malformed("malformed-body", e.reason()).exception(e);
            }
            if (request.registrationId().isPresent() && !request.registrationId().get().equals(registrationId)) {
                throw ProvisioningRefusal.malformed("registration-id-mismatch", "the body names registration id '" + request.registrationId().get()
                        + "' but the request is for '" + registrationId + "'").exception();
            }
            ReentrantLock lock = stripes[Math.floorMod(registrationId.hashCode(), stripes.length)];
            lock.lock();
            try {
                return registerAttested(registrationId, body, request, evidence, source);
            } finally {
                lock.unlock();
            }
        } catch (TpmChallengeIssuedException e) {
            throw e; // not a refusal: its event was emitted when it was made
        } catch (ProvisioningRefusedException e) {
            refused(registrationId, source, e.refusal());
            throw e;
        }
    }

    private RegistrationOperation registerAttested(String registrationId, byte[] body, RegistrationRequest request, AttestationEvidence evidence,
                                                   String source) {
        Instant now = clock.instant();
        if (evidence instanceof AttestationEvidence.None && request.tpm().isPresent()) evidence = new AttestationEvidence.Tpm(request.tpm().get());
        Proof proof = switch (evidence) {
            case AttestationEvidence.X509 x -> {
                X509Attestor.Attested a = x509.attest(x.chain(), registrationId, store.cas(), now);
                // Per device only once it proved who it is, so no one can spend another device's budget.
                limits.checkDevice(registrationId);
                yield new Proof(a.thumbprint(), "x509", a.leaf().getSubjectX500Principal().getName(), a.leaf().getIssuerX500Principal().getName(),
                        () -> enrollmentFor(registrationId, a), java.util.Map.of());
            }
            case AttestationEvidence.Tpm t -> tpmProof(registrationId, t.body(), request, source, now);
            case AttestationEvidence.None n -> throw ProvisioningRefusal.unauthorized("no-credential",
                    "registration needs an X.509 client certificate (IDevID) or TPM attestation").exception();
        };
        String requestHash = sha256(proof.credential() + "\n" + new String(body, StandardCharsets.UTF_8));
        Optional<JdbcProvisioningStore.StoredOperation> previous = store.latestOperation(registrationId, now.minus(operationFreshness));
        if (previous.isPresent() && previous.get().requestHash().equals(requestHash) && previous.get().status() == RegistrationStatus.ASSIGNED) {
            return toOperation(previous.get());
        }
        Enrollment enrollment = proof.enrollment().get();
        EnrollmentSettings settings = enrollment.settings();
        if (!settings.enabled()) {
            throw ProvisioningRefusal.unauthorized("enrollment-disabled", "enrollment " + enrollment.reference() + " is disabled; registration of '"
                    + registrationId + "' refused").exception();
        }
        String deviceId = enrollment instanceof Enrollment.Individual i ? i.deviceId().orElse(registrationId) : registrationId;
        DeviceId id = new DeviceId(deviceId);
        Optional<Device> existing = devices.find(id);
        if (existing.isPresent() && existing.get().lifecycle() == LifecycleState.DECOMMISSIONED) {
            throw ProvisioningRefusal.forbidden("device-decommissioned", "device '" + deviceId + "' is decommissioned"
                    + existing.get().statusReason().map(r -> " (" + r + ")").orElse("") + "; it needs a new registration").exception();
        }
        List<LinkedHub> candidates = candidates(settings);
        Allocator.Context ctx = new Allocator.Context(registrationId, enrollment, request.payload(),
                proof.subject(), proof.issuer(),
                existing.flatMap(Device::hub), existing.map(d -> d.id().value()));
        Allocator.Decision decision = allocator.allocate(ctx, settings.allocation(), candidates);

        Optional<PKCS10CertificationRequest> csr = request.csr().map(c -> parseCsr(c, registrationId));

        Optional<RegistrationState> before = store.registration(registrationId);
        boolean reprovision = existing.isPresent() && existing.get().hub().isPresent();
        String hub = decision.hub().hostName();
        Substatus substatus = Substatus.INITIAL_ASSIGNMENT;
        boolean reset = false;
        if (reprovision) {
            String oldHub = existing.get().hub().get();
            switch (settings.reprovision()) {
                case NEVER -> hub = oldHub;
                case MIGRATE -> substatus = oldHub.equals(hub) ? Substatus.INITIAL_ASSIGNMENT : Substatus.DEVICE_DATA_MIGRATED;
                case RESET -> {
                    substatus = Substatus.DEVICE_DATA_RESET;
                    reset = true;
                }
            }
        }
        JsonDocument desired = decision.desired().orElse(settings.initialTwin());
        JsonDocument tags = decision.tags().orElse(settings.initialTags());

        // One transaction for issuance, the registry, the registration, the operation and the events: one
        // commit per registration, and nothing half-written if a step is refused.
        String finalHub = hub;
        Substatus finalSubstatus = substatus;
        boolean finalReset = reset;
        return store.database().inTransaction(tx -> {
            List<Bytes> chain = List.of();
            // A TPM proof always carries a CSR, so only X.509 devices without one keep their IDevID as credential.
            Authentication auth = csr.isPresent() ? Authentication.caSigned() : Authentication.certificate(proof.credential());
            if (csr.isPresent()) {
                IssuedCertificate issued = issue(request.csr().get(), deviceId, settings, registrationId);
                chain = new ArrayList<>();
                chain.add(issued.der());
                for (X509Certificate c : ca.chain(issued.caName())) chain.add(Bytes.wrapOwned(encoded(c)));
                auth = Authentication.caSigned();
            }
            try {
                writeDevice(id, existing, finalHub, settings, auth, desired, tags, finalReset, registrationId);
            } catch (RegistryRefusedException e) {
                throw ProvisioningRefusal.conflict("registry-refused", "the registry refused device '" + deviceId + "': " + e.getMessage()).exception(e);
            }
            ObjectNode payload = decision.payload().orElse(JSON.createObjectNode());
            RegistrationState state = new RegistrationState(registrationId, deviceId, finalHub, RegistrationStatus.ASSIGNED, finalSubstatus, enrollment.reference(),
                    before.map(RegistrationState::createdAt).orElse(now), now, before.map(b -> b.version() + 1).orElse(1L), payload.toString(), chain);
            store.putRegistration(state);
            String operationId = UUID.randomUUID().toString();
            store.insertOperation(new JdbcProvisioningStore.StoredOperation(operationId, registrationId, requestHash, proof.credential(),
                    RegistrationStatus.ASSIGNED, stateJson(state), now));
            SecurityEvent.Builder assigned = SecurityEvent.builder(EventClass.AUTHENTICATION, "provisioning.registration.assigned").source("provisioning")
                    .outcome(SecurityEvent.Outcome.SUCCESS).severity(Severity.INFORMATIONAL).device(deviceId).actor("device:" + registrationId)
                    .message("registration '" + registrationId + "' assigned to " + finalHub + " (" + finalSubstatus.wireName() + ") by " + enrollment.reference())
                    .detail("registrationId", registrationId).detail("hub", finalHub).detail("substatus", finalSubstatus.wireName())
                    .detail("enrollment", enrollment.reference()).detail("attestation", proof.type()).detail("idevidSha256", proof.credential())
                    .detail("certificateIssued", !chain.isEmpty()).detail("sourceAddress", source);
            proof.details().forEach(assigned::detail);
            events.emit(assigned.build());
            return new RegistrationOperation(operationId, registrationId, RegistrationStatus.ASSIGNED, Optional.of(state), Optional.empty());
        });
    }

    /** Who the device proved to be: the credential operations are bound to, names for allocation, and how to find its enrollment. */
    private record Proof(String credential, String type, String subject, String issuer, java.util.function.Supplier<Enrollment> enrollment,
                         java.util.Map<String, String> details) {
    }

    /**
     * Holdfast's TPM flow (docs/provisioning-tpm.md). The registration id is the EK's (Base32 of SHA-256 of
     * its TPM2B_PUBLIC), so the individual enrollment is found by it and its EK must be the one presented.
     * Without an activation the answer is a challenge (thrown); with one, the challenge is verified and
     * consumed, and the CSR goes on to the same issuance as X.509's CSR extension. The per-device limit
     * applies to both steps: each costs the server a credential or a verification.
     */
    private Proof tpmProof(String registrationId, String member, RegistrationRequest request, String source, Instant now) {
        TpmAttestor.Member m = TpmAttestor.parse(member);
        if (tpm == null) {
            throw ProvisioningRefusal.unauthorized("tpm-not-configured", "TPM attestation is not configured on this server").exception();
        }
        Enrollment e = store.enrollment("individual", registrationId)
                .orElseThrow(() -> ProvisioningRefusal.unauthorized("no-enrollment", "no individual TPM enrollment for registration id '" + registrationId
                        + "' (the Base32 of SHA-256 of the EK's TPM2B_PUBLIC)").exception());
        if (!(e instanceof Enrollment.Individual individual) || !(individual.attestation() instanceof EnrollmentAttestation.Tpm)) {
            throw ProvisioningRefusal.unauthorized("attestation-mismatch", "individual enrollment " + e.reference()
                    + " expects " + e.attestation().type() + " attestation, not TPM").exception();
        }
        if (!e.settings().enabled()) {
            throw ProvisioningRefusal.unauthorized("enrollment-disabled", "enrollment " + e.reference() + " is disabled; registration of '"
                    + registrationId + "' refused").exception();
        }
        limits.checkDevice(registrationId);
        if (m.activation().isEmpty()) {
            TpmChallengeIssuedException issued = tpm.challenge(registrationId, individual, m, now);
            events.emit(SecurityEvent.builder(EventClass.AUTHENTICATION, "provisioning.tpm.challenged").source("provisioning")
                    .outcome(SecurityEvent.Outcome.UNKNOWN).severity(Severity.INFORMATIONAL).actor("device:" + registrationId)
                    .message("TPM credential challenge " + issued.challenge().id() + " made for '" + registrationId + "' (" + e.reference() + ")")
                    .detail("registrationId", registrationId).detail("challengeId", issued.challenge().id())
                    .detail("expiresAt", issued.challenge().expiresAt().toString()).detail("sourceAddress", source).build());
            throw issued;
        }
        Bytes csr = request.csr().orElseThrow(() -> ProvisioningRefusal.malformed("csr-required",
                "a TPM activation must carry the csr for the TPM key (Base64 DER PKCS#10)").exception());
        // The CSR's own rules first: verify consumes the challenge, so what can be refused without it is refused before.
        parseCsr(csr, registrationId);
        AttestedKey key = tpm.verify(registrationId, individual, m, csr);
        // The operation is bound to the TPM key: SHA-256 of its TPM name, shaped like an X.509 thumbprint.
        String credential = sha256(key.keyName().hex());
        java.util.Map<String, String> details = new java.util.LinkedHashMap<>();
        details.put("tpmKeyName", key.keyName().hex());
        details.put("tpmAkName", key.akName().hex());
        details.put("tpmEkName", key.ekName().hex());
        details.put("tpmChallengeId", key.challengeId());
        key.ekCertificateSha256().ifPresent(h -> details.put("ekCertificateSha256", h));
        return new Proof(credential, "tpm", "CN=" + registrationId, "TPM EK " + key.ekName().hex(), () -> e, details);
    }

    private void writeDevice(DeviceId id, Optional<Device> existing, String hub, EnrollmentSettings s, Authentication auth, JsonDocument desired,
                             JsonDocument tags, boolean reset, String registrationId) {
        String actor = "provisioning:" + registrationId;
        if (existing.isEmpty()) {
            devices.create(NewDevice.builder(id).hub(hub).lifecycle(LifecycleState.PROVISIONED).authentication(auth)
                    .model(s.model().orElse(null)).capabilities(s.gateway() ? Capabilities.GATEWAY : Capabilities.NONE)
                    .desired(desired).tags(tags).build(), actor);
            return;
        }
        Device d = existing.get();
        DeviceUpdate.Builder u = DeviceUpdate.builder().hub(hub).authentication(auth)
                .capabilities(s.gateway() ? Capabilities.GATEWAY : Capabilities.NONE).reason("provisioned by DPS registration " + registrationId);
        if (s.model().isPresent()) u.model(s.model().get());
        if (d.lifecycle().transitionTo(LifecycleState.PROVISIONED) instanceof LifecycleState.Transition.Allowed) u.lifecycle(LifecycleState.PROVISIONED);
        devices.update(id, u.build(), Precondition.none(), actor);
        boolean firstProvisioning = d.hub().isEmpty();
        if (reset || firstProvisioning && d.twin().desired().isEmpty()) {
            devices.patchDesired(id, replacement(d.twin().desired(), desired), Precondition.none(), actor);
        }
        if (reset || firstProvisioning && d.tags().isEmpty()) {
            devices.replaceTags(id, tags, Precondition.none(), actor);
        }
    }

    /** A JSON merge patch (RFC 7386) that turns {@code current} into {@code target}: removes what target lacks. */
    static JsonDocument replacement(JsonDocument current, JsonDocument target) {
        ObjectNode patch = JSON.createObjectNode();
        current.toNode().fieldNames().forEachRemaining(f -> {
            if (!f.startsWith("$") && !target.toNode().has(f)) patch.putNull(f);
        });
        patch.setAll(target.toNode().deepCopy());
        return JsonDocument.of(patch);
    }

    /**
     * The EST side of the same enrollment authorization: an IDevID chain that validates to an uploaded
     * manufacturer CA must be admitted by an enabled enrollment, and its device must not be
     * decommissioned; the grant is the enrollment's profile and validity for the device id.
     */
    public Optional<EnrollmentAuthorizer.Grant> authorizeEst(List<X509Certificate> chain, String source) {
        if (chain.isEmpty()) return Optional.empty();
        String cn = X509Attestor.commonName(chain.get(0));
        List<ManufacturerCa> cas = store.cas();
        try {
            if (!Ids.isRegistrationId(cn)) throw ProvisioningRefusal.unauthorized("bad-registration-id", "the client certificate's CN is not a registration id").exception();
            X509Attestor.Attested attested;
            try {
                attested = x509.attest(chain, cn, cas, clock.instant());
            } catch (ProvisioningRefusedException e) {
                if (e.refusal().code().equals("untrusted-certificate")) return Optional.empty(); // not ours: EST's configured CAs decide
                throw e;
            }
            Enrollment enrollment = enrollmentFor(cn, attested);
            if (!enrollment.settings().enabled()) {
                throw ProvisioningRefusal.unauthorized("enrollment-disabled", "enrollment " + enrollment.reference() + " is disabled; EST enrollment of '" + cn + "' refused").exception();
            }
            String deviceId = enrollment instanceof Enrollment.Individual i ? i.deviceId().orElse(cn) : cn;
            Optional<Device> existing = devices.find(new DeviceId(deviceId));
            if (existing.isPresent() && existing.get().lifecycle() == LifecycleState.DECOMMISSIONED) {
                throw ProvisioningRefusal.forbidden("device-decommissioned", "device '" + deviceId + "' is decommissioned").exception();
            }
            return Optional.of(new EnrollmentAuthorizer.Grant(SubjectAuthorization.device(deviceId), enrollment.settings().profile(),
                    enrollment.settings().validity(), "idevid:" + attested.thumbprint()));
        } catch (ProvisioningRefusedException e) {
            refused(cn, source, e.refusal());
            Refusal.Kind kind = e.refusal().httpStatus() == 403 ? Refusal.Kind.FORBIDDEN : Refusal.Kind.UNAUTHENTICATED;
            throw new Refusal(kind, e.refusal().code(), e.refusal().message()).exception(e);
        }
    }

    private List<LinkedHub> candidates(EnrollmentSettings s) {
        return store.hubs().stream().filter(LinkedHub::enabled).filter(h -> s.linkedHubs().isEmpty() || s.linkedHubs().contains(h.name())).toList();
    }

    private Enrollment enrollmentFor(String registrationId, X509Attestor.Attested attested) {
        Optional<Enrollment> individual = store.enrollment("individual", registrationId);
        if (individual.isPresent()) {
            Enrollment e = individual.get();
            if (e.attestation() instanceof EnrollmentAttestation.X509Leaf leaf) {
                if (!leaf.thumbprint().equals(attested.thumbprint())) {
                    throw ProvisioningRefusal.unauthorized("thumbprint-mismatch", "the client certificate of '" + registrationId
                            + "' is not the one individual enrollment " + e.reference() + " names").exception();
                }
                return e;
            }
            throw ProvisioningRefusal.unauthorized("attestation-mismatch", "individual enrollment " + e.reference()
                    + " expects " + e.attestation().type() + " attestation, not an X.509 certificate").exception();
        }
        for (ManufacturerCa anchor : attested.anchors()) {
            List<Enrollment> groups = store.groupsOfCa(anchor.name());
            if (!groups.isEmpty()) {
                // Several groups on one CA: an enabled one wins, then the first by id.
                return groups.stream().filter(g -> g.settings().enabled()).findFirst().orElse(groups.get(0));
            }
        }
        throw ProvisioningRefusal.unauthorized("no-enrollment", "no enrollment admits '" + registrationId + "' (its certificate chains to "
                + attested.anchors().get(0).name() + ", which anchors no enrollment group)").exception();
    }

    private static PKCS10CertificationRequest parseCsr(Bytes der, String registrationId) {
        PKCS10CertificationRequest csr;
        try {
            csr = new PKCS10CertificationRequest(der.toArray());
        } catch (IOException | RuntimeException e) {
            throw ProvisioningRefusal.malformed("malformed-csr", "csr is not a DER PKCS#10 request (RFC 2986)").exception(e);
        }
        var rdns = csr.getSubject().getRDNs(BCStyle.CN);
        String cn = rdns.length == 0 ? "" : IETFUtils.valueToString(rdns[0].getFirst().getValue());
        if (!cn.equals(registrationId)) {
            throw ProvisioningRefusal.malformed("csr-cn-mismatch", "the CSR asks for CN '" + Ids.excerpt(cn) + "' but the registration id is '"
                    + registrationId + "'").exception();
        }
        return csr;
    }

    private IssuedCertificate issue(Bytes csrDer, String deviceId, EnrollmentSettings s, String registrationId) {
        try {
            return ca.issue(new IssuanceRequest(csrDer, s.profile(), SubjectAuthorization.device(deviceId), s.validity(), "provisioning:" + registrationId));
        } catch (RefusedException e) {
            Refusal r = e.refusal();
            if (r.kind() == Refusal.Kind.INVALID) throw ProvisioningRefusal.malformed("csr-refused", r.publicMessage()).exception(e);
            throw ProvisioningRefusal.unavailable("issuance-failed", r.publicMessage()).exception(e);
        }
    }

    @Override
    public RegistrationOperation operationStatus(String scope, String registrationId, String operationId, AttestationEvidence evidence, String source) {
        try {
            requireScope(scope);
            Ids.requireRegistrationId(registrationId);
            limits.checkSource(source);
            JdbcProvisioningStore.StoredOperation op = store.operation(operationId == null || operationId.length() > 64 ? "" : operationId)
                    .filter(o -> o.registrationId().equals(registrationId))
                    .orElseThrow(() -> ProvisioningRefusal.notFound("operation-not-found", "no operation '" + Ids.excerpt(operationId)
                            + "' of registration '" + registrationId + "'").exception());
            String thumbprint = evidence instanceof AttestationEvidence.X509 x && !x.isEmpty() ? X509Attestor.thumbprint(x.chain().get(0)) : "";
            if (!op.credential().equals(thumbprint)) {
                throw ProvisioningRefusal.unauthorized("not-the-registrant", "operation '" + operationId + "' belongs to another credential").exception();
            }
            return toOperation(op);
        } catch (ProvisioningRefusedException e) {
            refused(registrationId, source, e.refusal());
            throw e;
        }
    }

    private void requireScope(String scope) {
        if (!idScope.equals(scope)) {
            throw ProvisioningRefusal.notFound("unknown-id-scope", "id scope '" + Ids.excerpt(scope) + "' is not served here").exception();
        }
    }

    private void refused(String registrationId, String source, ProvisioningRefusal r) {
        String who = registrationId != null && Ids.isRegistrationId(registrationId) ? registrationId : "unknown";
        events.emit(SecurityEvent.builder(EventClass.AUTHENTICATION, "provisioning.registration.refused").source("provisioning")
                .outcome(SecurityEvent.Outcome.FAILURE).severity(r.httpStatus() == 429 || r.httpStatus() == 401 || r.httpStatus() == 403 ? Severity.MEDIUM : Severity.LOW)
                .actor("device:" + who).message(r.message()).detail("code", r.code()).detail("errorCode", r.errorCode())
                .detail("registrationId", who).detail("sourceAddress", source).build());
    }

    // ---- operation records

    private static String stateJson(RegistrationState s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("registrationId", s.registrationId());
        n.put("deviceId", s.deviceId());
        n.put("assignedHub", s.assignedHub());
        n.put("status", s.status().wireName());
        n.put("substatus", s.substatus().wireName());
        n.put("enrollment", s.enrollment());
        n.put("createdAt", s.createdAt().toEpochMilli());
        n.put("updatedAt", s.updatedAt().toEpochMilli());
        n.put("version", s.version());
        n.put("payload", s.payload());
        ArrayNode chain = n.putArray("chain");
        s.issuedCertificateChain().forEach(c -> chain.add(c.base64()));
        return n.toString();
    }

    private static RegistrationOperation toOperation(JdbcProvisioningStore.StoredOperation op) {
        try {
            JsonNode n = JSON.readTree(op.result());
            List<Bytes> chain = new ArrayList<>();
            n.path("chain").forEach(c -> chain.add(Bytes.wrapOwned(Base64.getDecoder().decode(c.asText()))));
            RegistrationState s = new RegistrationState(n.get("registrationId").asText(), n.get("deviceId").asText(), n.get("assignedHub").asText(),
                    RegistrationStatus.parse(n.get("status").asText()), Substatus.parse(n.get("substatus").asText()), n.get("enrollment").asText(),
                    Instant.ofEpochMilli(n.get("createdAt").asLong()), Instant.ofEpochMilli(n.get("updatedAt").asLong()), n.get("version").asLong(),
                    n.get("payload").asText(), chain);
            return new RegistrationOperation(op.operationId(), op.registrationId(), op.status(), Optional.of(s), Optional.empty());
        } catch (IOException e) {
            throw new IllegalStateException("stored operation does not parse", e);
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
