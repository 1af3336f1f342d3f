package dev.holdfast.server.http;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventSink;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Optional;

/**
 * The access check in front of the admin API ({@code /api/v1/...}): the request must carry
 * {@code Authorization: Bearer <token>} (RFC 6750 §2.1) with a token that {@link ApiTokens} accepts.
 * Otherwise the request ends with 401 problem+json and {@code WWW-Authenticate: Bearer} before any
 * route runs, whether or not a route exists at that path, so an unauthenticated caller learns nothing
 * about the API. On success the token's actor ({@code token:<id>}) is recorded on the request; read it
 * with {@link #actor(Context)}.
 *
 * <p>A token that is presented and refused emits an authentication failure event; a request without
 * any token is only counted ({@code holdfast_api_authentication_failures_total{reason="missing"}}),
 * so that scanners probing the port cannot flood the event log.
 */
public final class BearerAuthentication implements Handler {
    static final String ACTOR_ATTRIBUTE = "holdfast.actor";

    private final ApiTokens tokens;
    private final EventSink events;
    private final Counter missing;
    private final Counter rejected;

    public BearerAuthentication(ApiTokens tokens, EventSink events, MeterRegistry metrics) {
        this.tokens = tokens;
        this.events = events;
        this.missing = Counter.builder("holdfast.api.authentication.failures").tag("reason", "missing")
                .description("admin API requests refused for lack of a valid bearer token").register(metrics);
        this.rejected = Counter.builder("holdfast.api.authentication.failures").tag("reason", "rejected")
                .description("admin API requests refused for lack of a valid bearer token").register(metrics);
    }

    @Override
    public void handle(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            missing.increment();
            throw Problem.unauthorized("token-required",
                    ctx.path() + " requires an API token in the header 'Authorization: Bearer <token>'").exception();
        }
        if (header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            missing.increment();
            int space = header.indexOf(' ');
            String scheme = space > 0 ? header.substring(0, Math.min(space, 20)) : "(none)";
            throw Problem.unauthorized("token-required",
                    "authorization scheme '" + scheme + "' is not accepted (expected: Bearer)").exception();
        }
        String presented = header.substring(7).trim();
        Optional<ApiToken> token = tokens.verify(presented);
        if (token.isEmpty()) {
            rejected.increment();
            // RFC 6750 §3.1: tell the client the token itself is the problem.
            ctx.header("WWW-Authenticate", ProblemResponses.WWW_AUTHENTICATE + ", error=\"invalid_token\"");
            events.emit(SecurityEvent.builder(EventClass.AUTHENTICATION, "api_token.rejected")
                    .outcome(SecurityEvent.Outcome.FAILURE).severity(Severity.MEDIUM).actor("anonymous").source("server")
                    .message("API request with an unknown, expired or revoked token")
                    .detail("method", ctx.method().name()).detail("path", ctx.path()).detail("source_ip", ctx.ip())
                    .detail("token_id", claimedId(presented)).build());
            throw Problem.unauthorized("token-invalid", "the API token is unknown, expired or revoked").exception();
        }
        ctx.attribute(ACTOR_ATTRIBUTE, token.get().actor());
    }

    /**
     * Who made this request: {@code token:<id>} for an authenticated admin API request. Throws for a
     * request that did not pass through this check (a route outside {@code /api/v1/} asking by mistake).
     */
    public static String actor(Context ctx) {
        String actor = ctx.attribute(ACTOR_ATTRIBUTE);
        if (actor == null) throw new IllegalStateException("request " + ctx.method() + " " + ctx.path() + " was not authenticated by a bearer token");
        return actor;
    }

    /** The public id part of a presented token, for the event, when it has the token shape; never the secret. */
    private static String claimedId(String presented) {
        if (presented.length() >= 19 && presented.startsWith("hf_") && presented.substring(3, 19).matches("[0-9a-f]{16}")) {
            return presented.substring(3, 19);
        }
        return null;
    }
}
