package dev.holdfast.server.http;

import java.time.Instant;
import java.util.Optional;

/**
 * A bearer token of the admin API as stored: everything but its secret, which is never stored.
 *
 * @param id         public identifier, part of the token string; shown in listings and recorded as the
 *                   actor of the requests it authenticates ({@code token:<id>})
 * @param name       what the operator called it ({@code bootstrap-admin}, {@code ci})
 * @param createdBy  the actor that created it
 * @param expiresAt  when it stops working; empty: never (until revoked)
 * @param lastUsedAt when it last authenticated a request, to the minute; empty: never used
 * @param revokedAt  when it was revoked; empty: not revoked
 */
public record ApiToken(String id, String name, Instant createdAt, String createdBy, Optional<Instant> expiresAt,
                       Optional<Instant> lastUsedAt, Optional<Instant> revokedAt) {
    public ApiToken {
        if (id == null || name == null || createdAt == null || createdBy == null) {
            throw new IllegalArgumentException("ApiToken: id, name, createdAt and createdBy are required");
        }
        expiresAt = expiresAt == null ? Optional.empty() : expiresAt;
        lastUsedAt = lastUsedAt == null ? Optional.empty() : lastUsedAt;
        revokedAt = revokedAt == null ? Optional.empty() : revokedAt;
    }

    /** True when the token authenticates requests at {@code now}: not revoked and not expired. */
    public boolean isActiveAt(Instant now) {
        return revokedAt.isEmpty() && expiresAt.map(now::isBefore).orElse(true);
    }

    /** The actor recorded for requests this token authenticates. */
    public String actor() {
        return "token:" + id;
    }
}
