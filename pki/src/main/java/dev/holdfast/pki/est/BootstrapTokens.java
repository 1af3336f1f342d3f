package dev.holdfast.pki.est;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventSink;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.Refusal;
import dev.holdfast.store.Database;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * One-time EST bootstrap tokens: an operator creates one for a named identity; a device uses it once
 * to enroll. Only the token's SHA-256 is stored (the token carries 256 random bits, so a plain hash
 * is enough; no password stretching is needed), and the plaintext is returned once.
 */
public final class BootstrapTokens {
    private static final String PREFIX = "hfb_";
    private final Database db;
    private final EventSink events;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /** What a token authorizes. */
    public record Grant(String id, String commonName, Optional<String> deviceId, Profile profile, Instant expiresAt) {
    }

    /** A token as created: the plaintext is shown to the operator once. */
    public record Created(Grant grant, String token) {
        @Override
        public String toString() {
            return "Created[" + grant + ", token=****]";
        }
    }

    public BootstrapTokens(Database db, EventSink events, Clock clock) {
        this.db = db;
        this.events = events;
        this.clock = clock;
    }

    public Created create(String commonName, Optional<String> deviceId, Profile profile, Duration validity, String actor) {
        if (profile != Profile.DEVICE && profile != Profile.GATEWAY && profile != Profile.SENSOR) {
            throw Refusal.invalid("profile-not-enrollable", "EST bootstrap tokens are for device, gateway or sensor profiles, not " + profile.id());
        }
        new dev.holdfast.pki.SubjectAuthorization(commonName, null, null, deviceId); // validates the name
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Instant now = clock.instant();
        Grant grant = new Grant(UUID.randomUUID().toString(), commonName, deviceId, profile, now.plus(validity));
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO est_bootstrap_token (id, token_hash, common_name, device_id, profile, expires_at, created_at, created_by) VALUES (?,?,?,?,?,?,?,?)")) {
                ps.setString(1, grant.id());
                ps.setString(2, hash(token));
                ps.setString(3, commonName);
                ps.setString(4, deviceId.orElse(null));
                ps.setString(5, profile.id());
                ps.setLong(6, grant.expiresAt().toEpochMilli());
                ps.setLong(7, now.toEpochMilli());
                ps.setString(8, actor);
                return ps.executeUpdate();
            }
        });
        events.emit(SecurityEvent.builder(EventClass.ENTITY_MANAGEMENT, "est.token.created").source("pki").actor(actor)
                .device(deviceId.orElse(null)).message("EST bootstrap token created for " + commonName)
                .detail("tokenId", grant.id()).detail("profile", profile.id()).detail("expiresAt", grant.expiresAt()).build());
        return new Created(grant, token);
    }

    /** The grant of a token that is unused and unexpired, without consuming it. */
    public Grant peek(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.length() > 100) {
            throw Refusal.unauthenticated("bad-token", "the bootstrap token is not valid");
        }
        String h = hash(token);
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, common_name, device_id, profile, expires_at, used_at FROM est_bootstrap_token WHERE token_hash = ?")) {
                ps.setString(1, h);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw Refusal.unauthenticated("bad-token", "the bootstrap token is not valid");
                    rs.getLong(6);
                    if (!rs.wasNull()) throw Refusal.unauthenticated("token-used", "the bootstrap token has already been used");
                    Instant expires = Instant.ofEpochMilli(rs.getLong(5));
                    if (!expires.isAfter(clock.instant())) throw Refusal.unauthenticated("token-expired", "the bootstrap token expired at " + expires);
                    return new Grant(rs.getString(1), rs.getString(2), Optional.ofNullable(rs.getString(3)), Profile.parse(rs.getString(4)), expires);
                }
            }
        });
    }

    /** Marks the token used, atomically: of two concurrent uses exactly one succeeds. */
    public void consume(Grant grant) {
        int n = db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE est_bootstrap_token SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?")) {
                ps.setLong(1, clock.millis());
                ps.setString(2, grant.id());
                ps.setLong(3, clock.millis());
                return ps.executeUpdate();
            }
        });
        if (n != 1) throw Refusal.unauthenticated("token-used", "the bootstrap token has already been used");
    }

    /** Gives a consumed token back when issuance failed after it was consumed. */
    public void release(Grant grant) {
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE est_bootstrap_token SET used_at = NULL WHERE id = ?")) {
                ps.setString(1, grant.id());
                return ps.executeUpdate();
            }
        });
    }

    public void recordSerial(Grant grant, String serialHex) {
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE est_bootstrap_token SET used_serial = ? WHERE id = ?")) {
                ps.setString(1, serialHex);
                ps.setString(2, grant.id());
                return ps.executeUpdate();
            }
        });
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
