package dev.holdfast.server.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventSink;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.pki.CertificateFilter;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.Pki;
import dev.holdfast.pki.RevocationReason;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceStatus;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.Registry;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Response actions a SOAR playbook (or an operator) takes on a device: quarantine, disable, revoke its
 * certificates, or ask posture to evaluate it again. Each request names who asked (the API token) and
 * why, and carries an idempotency key: the first request with a key acts and its answer is kept; a
 * repeat with the same key and request gets that answer again without acting; the same key with a
 * different request is refused. Every action emits an {@code soar.<action>} API Activity event, besides
 * the events the registry and the PKI emit for the changes themselves.
 */
public final class SoarActions {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Action {
        QUARANTINE, DISABLE, REVOKE_CERTIFICATES, RE_EVALUATE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Optional<Action> parse(String wire) {
            for (Action a : values()) if (a.wireName().equals(wire)) return Optional.of(a);
            return Optional.empty();
        }
    }

    /** @param revocationReason for {@link Action#REVOKE_CERTIFICATES}; default key compromise */
    public record Request(Action action, String deviceId, String reason, Optional<RevocationReason> revocationReason) {
        public Request {
            revocationReason = revocationReason == null ? Optional.empty() : revocationReason;
        }

        String hash() {
            try {
                MessageDigest d = MessageDigest.getInstance("SHA-256");
                String canonical = action + "\n" + deviceId + "\n" + reason + "\n" + revocationReason.map(Enum::name).orElse("");
                return HexFormat.of().formatHex(d.digest(canonical.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The answer: a JSON body, and whether it is the stored answer of an earlier request. */
    public sealed interface Outcome {
        record Done(String json, boolean replayed) implements Outcome {
        }

        record InProgress() implements Outcome {
        }

        record KeyReused(String earlierAction, String earlierDevice) implements Outcome {
        }
    }

    private final Database db;
    private final EventSink events;
    private final Registry registry;
    private final Pki pki;
    private final Clock clock;
    private final List<Consumer<String>> reevaluationHooks = new CopyOnWriteArrayList<>();

    public SoarActions(Database db, EventSink events, Registry registry, Pki pki, Clock clock) {
        this.db = db;
        this.events = events;
        this.registry = registry;
        this.pki = pki;
        this.clock = clock;
        db.migrate("actions");
    }

    /** Called with the device id of each re-evaluation request; posture registers here. */
    public void onReevaluation(Consumer<String> hook) {
        reevaluationHooks.add(hook);
    }

    /**
     * Performs {@code request} once per {@code (actor, idempotencyKey)}. A refusal from the registry or
     * the PKI (unknown device, a move the lifecycle forbids) propagates and is not kept, so the same key
     * may be retried after the cause is fixed.
     */
    public Outcome perform(String idempotencyKey, String actor, Request request) {
        String hash = request.hash();
        Optional<Outcome> earlier = reserve(idempotencyKey, actor, request, hash);
        if (earlier.isPresent()) return earlier.get();
        try {
            String json = act(idempotencyKey, actor, request);
            db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE soar_action SET state = 'done', response = ? WHERE actor = ? AND idempotency_key = ?")) {
                    ps.setString(1, json);
                    ps.setString(2, actor);
                    ps.setString(3, idempotencyKey);
                    return ps.executeUpdate();
                }
            });
            return new Outcome.Done(json, false);
        } catch (RuntimeException e) {
            release(idempotencyKey, actor);
            throw e;
        }
    }

    private Optional<Outcome> reserve(String key, String actor, Request request, String hash) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT action, device_id, request_hash, state, response FROM soar_action WHERE actor = ? AND idempotency_key = ?")) {
                ps.setString(1, actor);
                ps.setString(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        if (!rs.getString(3).equals(hash)) return Optional.<Outcome>of(new Outcome.KeyReused(rs.getString(1), rs.getString(2)));
                        if (!"done".equals(rs.getString(4))) return Optional.<Outcome>of(new Outcome.InProgress());
                        return Optional.<Outcome>of(new Outcome.Done(rs.getString(5), true));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO soar_action (idempotency_key, actor, action, device_id, reason, request_hash, state, created_at) VALUES (?,?,?,?,?,?,'pending',?)")) {
                ps.setString(1, key);
                ps.setString(2, actor);
                ps.setString(3, request.action().wireName());
                ps.setString(4, request.deviceId());
                ps.setString(5, request.reason());
                ps.setString(6, hash);
                ps.setLong(7, clock.millis());
                ps.executeUpdate();
            } catch (SQLException duplicate) {
                // A concurrent request with the same key won the insert.
                return Optional.<Outcome>of(new Outcome.InProgress());
            }
            return Optional.<Outcome>empty();
        });
    }

    private void release(String key, String actor) {
        try {
            db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM soar_action WHERE actor = ? AND idempotency_key = ? AND state = 'pending'")) {
                    ps.setString(1, actor);
                    ps.setString(2, key);
                    return ps.executeUpdate();
                }
            });
        } catch (StoreException ignored) {
            // the pending row stays; a retry with this key is answered "in progress" until an operator clears it
        }
    }

    private String act(String key, String actor, Request r) {
        DeviceId id = DeviceId.parse(r.deviceId());
        Device before = registry.devices().get(id);
        ObjectNode result = JSON.createObjectNode();
        Severity severity = Severity.MEDIUM;
        switch (r.action()) {
            case QUARANTINE -> {
                Device after = registry.devices().setLifecycle(id, LifecycleState.QUARANTINED, Optional.of(r.reason()), actor);
                result.put("lifecycle", after.lifecycle().wireName()).put("previousLifecycle", before.lifecycle().wireName());
                severity = Severity.HIGH;
            }
            case DISABLE -> {
                Device after = registry.devices().setStatus(id, DeviceStatus.DISABLED, Optional.of(r.reason()), actor);
                result.put("status", after.status().name().toLowerCase(Locale.ROOT))
                        .put("previousStatus", before.status().name().toLowerCase(Locale.ROOT));
                severity = Severity.HIGH;
            }
            case REVOKE_CERTIFICATES -> {
                RevocationReason reason = r.revocationReason().orElse(RevocationReason.KEY_COMPROMISE);
                ArrayNode revoked = result.putArray("revoked");
                for (IssuedCertificate c : pki.ca().search(CertificateFilter.byDevice(id.value()))) {
                    if (c.isRevoked()) continue;
                    pki.ca().revoke(c.serialHex(), reason, actor);
                    revoked.add(c.serialHex());
                }
                result.put("revocationReason", reason.name());
                severity = Severity.HIGH;
            }
            case RE_EVALUATE -> {
                for (Consumer<String> hook : reevaluationHooks) hook.accept(id.value());
                events.emit(SecurityEvent.builder(EventClass.DEVICE_CONFIG_STATE_CHANGE, "posture.reevaluation.requested")
                        .device(id.value()).actor(actor).source("soar").message("re-evaluation of " + id.value() + " requested: " + r.reason())
                        .detail("idempotencyKey", key).build());
                result.put("requested", true).put("listeners", reevaluationHooks.size());
                severity = Severity.LOW;
            }
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("action", r.action().wireName()).put("deviceId", id.value()).put("requestedBy", actor).put("reason", r.reason())
                .put("idempotencyKey", key).put("at", clock.instant().toString());
        body.set("result", result);
        events.emit(SecurityEvent.builder(EventClass.API_ACTIVITY, "soar." + r.action().wireName())
                .device(id.value()).actor(actor).source("soar").severity(severity)
                .message(actor + " asked to " + r.action().wireName().replace('-', ' ') + " " + id.value() + ": " + r.reason())
                .detail("reason", r.reason()).detail("idempotencyKey", key).detail("result", result.toString()).build());
        return body.toString();
    }
}
