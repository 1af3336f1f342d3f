package dev.holdfast.server.http;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventSink;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.store.Database;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The bearer tokens of the admin API, in the {@code api_token} table (migration {@code db/server},
 * run by {@code database.migrate("server")} before use).
 *
 * <p>A token reads {@code hf_<id>_<secret>}: 16 hex digits of public id, then 64 hex digits of
 * secret (256 random bits from {@link SecureRandom}). Only SHA-256 of the secret is stored. A plain,
 * unsalted hash is enough here, unlike for passwords: the secret is uniformly random and far too
 * long to guess or to precompute, so a slow KDF would only slow every API request. Verification
 * looks the row up by the public id and compares hashes with {@link MessageDigest#isEqual}, whose
 * time does not depend on where the bytes differ. The fixed {@code hf_} prefix lets secret scanners
 * recognise a leaked token.
 *
 * <p>Creation and revocation emit security events; failed authentications are reported by the
 * HTTP layer, which knows the request.
 */
public final class ApiTokens {
    private static final Pattern TOKEN = Pattern.compile("hf_([0-9a-f]{16})_([0-9a-f]{64})");
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N} ._:@/-]{0,127}");
    private static final HexFormat HEX = HexFormat.of();
    /** last_used_at is written at most this often per token, so reads do not turn into writes. */
    private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    private final Database db;
    private final EventSink events;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instant> lastUsedWritten = new ConcurrentHashMap<>();

    /**
     * @param db     the store, already migrated for module {@code server}
     * @param events where token creation and revocation are reported
     * @param clock  the time source for creation, expiry and last use
     */
    public ApiTokens(Database db, EventSink events, Clock clock) {
        this.db = db;
        this.events = events;
        this.clock = clock;
    }

    /** Creates a token; see {@link #create(String, String, Optional, Consumer)}. */
    public IssuedToken create(String name, String createdBy, Optional<Duration> validity) {
        return create(name, createdBy, validity, issued -> {
        });
    }

    /**
     * Creates a token and returns it with its plaintext, which is not stored and cannot be recovered.
     *
     * @param name          what the token is for, 1..128 letters, digits, spaces and {@code ._:@/-}
     * @param createdBy     the actor creating it ({@code system}, {@code token:<id>}, an operator)
     * @param validity      how long it works; empty: until revoked
     * @param beforeCommit  called with the new token inside the inserting transaction; when it throws,
     *                      the token is not created. Lets a caller deliver the plaintext (write a file)
     *                      so that either both happen or, after a crash, neither is visible.
     */
    public IssuedToken create(String name, String createdBy, Optional<Duration> validity, Consumer<IssuedToken> beforeCommit) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: " + name + " (expected: 1..128 letters, digits, spaces or ._:@/-, starting with a letter or digit)");
        }
        if (createdBy == null || createdBy.isBlank()) throw new IllegalArgumentException("createdBy: blank (expected: an actor)");
        if (validity.isPresent() && (validity.get().isNegative() || validity.get().isZero())) {
            throw new IllegalArgumentException("validity: " + validity.get() + " (expected: > 0)");
        }
        byte[] idBytes = new byte[8];
        byte[] secret = new byte[32];
        random.nextBytes(idBytes);
        random.nextBytes(secret);
        String id = HEX.formatHex(idBytes);
        String secretHex = HEX.formatHex(secret);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Optional<Instant> expires = validity.map(now::plus);
        ApiToken token = new ApiToken(id, name, now, createdBy, expires, Optional.empty(), Optional.empty());
        IssuedToken issued = new IssuedToken(token, "hf_" + id + "_" + secretHex);
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO api_token (id, name, secret_sha256, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, name);
                ps.setBytes(3, sha256(secretHex));
                ps.setLong(4, now.toEpochMilli());
                ps.setString(5, createdBy);
                if (expires.isPresent()) ps.setLong(6, expires.get().toEpochMilli());
                else ps.setNull(6, Types.BIGINT);
                ps.executeUpdate();
            }
            beforeCommit.accept(issued);
            return null;
        });
        events.emit(SecurityEvent.builder(EventClass.ACCOUNT_CHANGE, "api_token.created").actor(createdBy).source("server")
                .message("API token '" + name + "' created").detail("token_id", id)
                .detail("expires_at", expires.map(Instant::toString).orElse(null)).build());
        return issued;
    }

    /**
     * The token {@code presented} stands for, when it is well formed, known, not revoked, not expired
     * and its secret matches; empty otherwise (the caller cannot tell which, by design).
     */
    public Optional<ApiToken> verify(String presented) {
        if (presented == null) return Optional.empty();
        var m = TOKEN.matcher(presented);
        if (!m.matches()) return Optional.empty();
        String id = m.group(1);
        byte[] presentedHash = sha256(m.group(2));
        Optional<Stored> stored = find(id);
        if (stored.isEmpty()) return Optional.empty();
        if (!MessageDigest.isEqual(presentedHash, stored.get().secretHash())) return Optional.empty();
        Instant now = clock.instant();
        ApiToken token = stored.get().token();
        if (!token.isActiveAt(now)) return Optional.empty();
        touch(token, now);
        return Optional.of(token);
    }

    /** Every token, revoked and expired ones included, oldest first. */
    public List<ApiToken> list() {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, secret_sha256, created_at, created_by, expires_at, last_used_at, revoked_at FROM api_token ORDER BY created_at, id");
                 ResultSet rs = ps.executeQuery()) {
                List<ApiToken> out = new ArrayList<>();
                while (rs.next()) out.add(read(rs).token());
                return out;
            }
        });
    }

    /** The token with {@code id}, whatever its state. */
    public Optional<ApiToken> get(String id) {
        return find(id).map(Stored::token);
    }

    /** True when at least one token was ever created (revoked ones count). */
    public boolean anyCreated() {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM api_token LIMIT 1"); ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        });
    }

    /**
     * Revokes the token {@code id}; it stops authenticating at once. Returns false when there is no
     * such token or it was already revoked.
     */
    public boolean revoke(String id, String actor) {
        if (actor == null || actor.isBlank()) throw new IllegalArgumentException("actor: blank (expected: who revokes)");
        Instant now = clock.instant();
        int changed = db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE api_token SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, actor);
                ps.setString(3, id);
                return ps.executeUpdate();
            }
        });
        if (changed == 0) return false;
        lastUsedWritten.remove(id);
        events.emit(SecurityEvent.builder(EventClass.ACCOUNT_CHANGE, "api_token.revoked").actor(actor).source("server")
                .message("API token " + id + " revoked").detail("token_id", id).build());
        return true;
    }

    private Optional<Stored> find(String id) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, secret_sha256, created_at, created_by, expires_at, last_used_at, revoked_at FROM api_token WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.<Stored>empty();
                }
            }
        });
    }

    private void touch(ApiToken token, Instant now) {
        Instant written = lastUsedWritten.get(token.id());
        if (written == null) written = token.lastUsedAt().orElse(Instant.EPOCH);
        if (Duration.between(written, now).compareTo(LAST_USED_RESOLUTION) < 0) return;
        lastUsedWritten.put(token.id(), now);
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE api_token SET last_used_at = ? WHERE id = ?")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, token.id());
                return ps.executeUpdate();
            }
        });
    }

    private record Stored(ApiToken token, byte[] secretHash) {
    }

    private static Stored read(ResultSet rs) throws SQLException {
        ApiToken token = new ApiToken(rs.getString("id"), rs.getString("name"), Instant.ofEpochMilli(rs.getLong("created_at")),
                rs.getString("created_by"), instant(rs, "expires_at"), instant(rs, "last_used_at"), instant(rs, "revoked_at"));
        return new Stored(token, rs.getBytes("secret_sha256"));
    }

    private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
    }

    private static byte[] sha256(String secretHex) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secretHex.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
