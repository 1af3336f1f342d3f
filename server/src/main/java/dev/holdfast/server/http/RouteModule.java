package dev.holdfast.server.http;

import io.javalin.config.RoutesConfig;

/**
 * A group of HTTP routes contributed to the {@link ApiServer} by one part of the product (the PKI's
 * EST and CRL endpoints, the REST resources of a module, the console).
 *
 * <p>Javalin 7 declares routes while the server is configured, not after it is built, so a module
 * receives the {@link RoutesConfig} of the server being created and adds to it:
 * <pre>{@code
 * RouteModule est = routes -> {
 *     routes.get("/.well-known/est/cacerts", ctx -> ...);
 *     routes.post("/api/v1/certificates/{serial}/revoke", ctx -> {
 *         String actor = BearerAuthentication.actor(ctx);  // who, for events and audit
 *         throw Problem.conflict("already-revoked", "certificate 0a1b was revoked at ...").exception();
 *     });
 * };
 * }</pre>
 * Everything under {@code /api/v1/} requires a bearer token before any route runs. Refusals are thrown
 * as {@link ProblemException} (or the PKI's {@code RefusedException}) and rendered as problem+json by
 * the server; modules do not register exception or error mappers of their own.
 */
@FunctionalInterface
public interface RouteModule {
    void register(RoutesConfig routes);
}
