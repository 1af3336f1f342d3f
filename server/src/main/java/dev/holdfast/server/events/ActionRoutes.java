package dev.holdfast.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.pki.RevocationReason;
import dev.holdfast.server.http.BearerAuthentication;
import dev.holdfast.server.http.Problem;
import dev.holdfast.server.http.RouteModule;
import dev.holdfast.server.registry.RegistryProblems;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/actions/{action}} with {@code Idempotency-Key} and a body
 * {@code {"deviceId": "...", "reason": "...", "revocationReason": "keyCompromise"}}: the SOAR actions of
 * {@link SoarActions}. A replayed answer carries {@code Idempotent-Replayed: true}.
 */
final class ActionRoutes implements RouteModule {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,128}");
    private static final int MAX_BODY = 16 * 1024;
    private static final int MAX_REASON = 1000;

    private final SoarActions actions;

    ActionRoutes(SoarActions actions) {
        this.actions = actions;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/api/v1/actions/{action}", RegistryProblems.translated(this::perform));
    }

    private void perform(Context ctx) {
        SoarActions.Action action = SoarActions.Action.parse(ctx.pathParam("action")).orElseThrow(() ->
                Problem.notFound("unknown-action", "action '" + clip(ctx.pathParam("action")) + "' does not exist (expected: quarantine, disable, revoke-certificates or re-evaluate)").exception());
        String key = ctx.header("Idempotency-Key");
        if (key == null || key.isBlank()) {
            throw Problem.badRequest("idempotency-key-required", "actions require an Idempotency-Key header (1..128 printable ASCII characters, such as a UUID)").exception();
        }
        if (!KEY.matcher(key).matches()) {
            throw Problem.badRequest("bad-idempotency-key", "Idempotency-Key must be 1..128 printable ASCII characters without spaces").exception();
        }
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > MAX_BODY) throw new Problem(413, "body-too-large", "Content too large", "action body of " + raw.length + " bytes exceeds " + MAX_BODY).exception();
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (IOException e) {
            throw Problem.badRequest("malformed-json", "the body is not JSON (expected: {\"deviceId\": ..., \"reason\": ...})").exception();
        }
        if (body == null || !body.isObject()) throw Problem.badRequest("malformed-json", "the body must be a JSON object").exception();
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("deviceId", "reason", "revocationReason").contains(f)) {
                throw Problem.badRequest("unknown-field", "field '" + clip(f) + "' is not known (expected: deviceId, reason, revocationReason)").exception();
            }
        }
        String device = text(body, "deviceId");
        String reason = text(body, "reason");
        if (reason.length() > MAX_REASON) throw Problem.badRequest("reason-too-long", "reason has " + reason.length() + " characters (limit " + MAX_REASON + ")").exception();
        Optional<RevocationReason> revocation = Optional.empty();
        if (body.hasNonNull("revocationReason")) {
            if (action != SoarActions.Action.REVOKE_CERTIFICATES) {
                throw Problem.badRequest("unknown-field", "revocationReason applies only to revoke-certificates").exception();
            }
            try {
                revocation = Optional.of(RevocationReason.parse(body.get("revocationReason").asText()));
            } catch (RuntimeException e) {
                throw Problem.badRequest("bad-revocation-reason", "revocationReason '" + clip(body.get("revocationReason").asText()) + "' is not an RFC 5280 reason").exception();
            }
        }
        String actor = BearerAuthentication.actor(ctx);
        switch (actions.perform(key, actor, new SoarActions.Request(action, device, reason, revocation))) {
            case SoarActions.Outcome.Done d -> {
                if (d.replayed()) ctx.header("Idempotent-Replayed", "true");
                ctx.contentType("application/json").result(d.json());
            }
            case SoarActions.Outcome.InProgress p -> throw Problem.conflict("action-in-progress",
                    "an action with Idempotency-Key '" + key + "' is still in progress; retry shortly").exception();
            case SoarActions.Outcome.KeyReused r -> throw new Problem(422, "idempotency-key-reused", "Unprocessable content",
                    "Idempotency-Key '" + key + "' was used for " + r.earlierAction() + " of " + r.earlierDevice()
                            + " with another request (expected: a new key for a new request)").exception();
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull() || !v.isTextual() || v.asText().isBlank()) {
            throw Problem.badRequest("missing-field", field + " is required (a non-empty string)").exception();
        }
        return v.asText().strip();
    }

    private static String clip(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return t.replaceAll("[\\p{Cntrl}]", "?");
    }
}
