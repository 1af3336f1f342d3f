package dev.holdfast.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * The REST resource of API tokens, so the bootstrap admin token can be rotated:
 * <ul>
 *   <li>{@code GET /api/v1/tokens}: every token (never a secret);</li>
 *   <li>{@code POST /api/v1/tokens} with {@code {"name": "ci", "validity": "P30D"}} ({@code validity}
 *       optional, ISO-8601): 201 with the token and its secret, shown this once;</li>
 *   <li>{@code DELETE /api/v1/tokens/{id}}: revokes; 204, or 404 when there is no such active token.</li>
 * </ul>
 */
public final class ApiTokenRoutes implements RouteModule {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiTokens tokens;

    public ApiTokenRoutes(ApiTokens tokens) {
        this.tokens = tokens;
    }

    /** A token as the API shows it. */
    public record TokenView(String id, String name, Instant createdAt, String createdBy, Optional<Instant> expiresAt,
                            Optional<Instant> lastUsedAt, Optional<Instant> revokedAt, boolean active) {
        static TokenView of(ApiToken t) {
            return new TokenView(t.id(), t.name(), t.createdAt(), t.createdBy(), t.expiresAt(), t.lastUsedAt(), t.revokedAt(),
                    t.isActiveAt(Instant.now()));
        }
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/v1/tokens", ctx -> ctx.json(tokens.list().stream().map(TokenView::of).toList()));
        routes.post("/api/v1/tokens", this::create);
        routes.delete("/api/v1/tokens/{id}", this::revoke);
    }

    private void create(Context ctx) {
        JsonNode body = body(ctx);
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual()) {
            throw Problem.badRequest("invalid-token-request", "name: missing (expected: a string such as \"ci\")").exception();
        }
        Optional<Duration> validity = Optional.empty();
        JsonNode v = body.get("validity");
        if (v != null && !v.isNull()) {
            try {
                validity = Optional.of(Duration.parse(v.asText()));
            } catch (DateTimeParseException e) {
                throw Problem.badRequest("invalid-token-request", "validity: " + v.asText() + " (expected: an ISO-8601 duration such as P30D)").exception();
            }
        }
        IssuedToken issued;
        try {
            issued = tokens.create(name.asText(), BearerAuthentication.actor(ctx), validity);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("invalid-token-request", e.getMessage()).exception();
        }
        ctx.status(201).header("Cache-Control", "no-store")
                .json(Map.of("token", TokenView.of(issued.token()), "secret", issued.plaintext()));
    }

    private void revoke(Context ctx) {
        String id = ctx.pathParam("id");
        if (!tokens.revoke(id, BearerAuthentication.actor(ctx))) {
            throw Problem.notFound("token-not-found", "no active API token with id '" + id + "'").exception();
        }
        ctx.status(204);
    }

    private static JsonNode body(Context ctx) {
        try {
            JsonNode node = JSON.readTree(ctx.bodyAsBytes());
            if (node == null || !node.isObject()) throw new IllegalArgumentException("not a JSON object");
            return node;
        } catch (Exception e) {
            throw Problem.badRequest("malformed-body", "request body is not a JSON object: " + summary(e)).exception();
        }
    }

    private static String summary(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }
}
