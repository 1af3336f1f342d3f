package dev.holdfast.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.server.http.RouteModule;
import io.javalin.config.RoutesConfig;
import io.javalin.router.InternalRouter;
import io.javalin.router.ParsedEndpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Serves the OpenAPI 3 document of the whole admin API at {@code /api/v1/openapi.json}: a hand-written
 * resource ({@code openapi.json} beside this class) that covers every route under {@code /api/v1} of
 * every module, and that a test holds against the routes the running server has registered, in both
 * directions ({@link #documentedRoutes()}, {@link #registeredRoutes()}).
 */
public final class OpenApiRoutes implements RouteModule {
    static final String PATH = "/api/v1/openapi.json";
    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete", "head", "options");

    private final byte[] document;
    private volatile InternalRouter router;

    public OpenApiRoutes() {
        try (InputStream in = OpenApiRoutes.class.getResourceAsStream("openapi.json")) {
            if (in == null) throw new IllegalStateException("openapi.json is missing from the server's resources");
            this.document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read openapi.json", e);
        }
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(PATH, ctx -> ctx.contentType("application/json").header("Cache-Control", "no-cache").result(document));
        // Javalin keeps the routes of the server being configured in its router, which it exposes only
        // through this Kotlin-internal accessor; read later, it lists every module's routes.
        this.router = routes.getCfg$javalin().internalRouter;
    }

    /** {@code "GET /api/v1/devices/{id}"} for every operation the document describes. */
    public Set<String> documentedRoutes() {
        try {
            JsonNode paths = new ObjectMapper().readTree(document).path("paths");
            Set<String> out = new TreeSet<>();
            Iterator<Map.Entry<String, JsonNode>> it = paths.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> p = it.next();
                p.getValue().fieldNames().forEachRemaining(m -> {
                    if (METHODS.contains(m)) out.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
                });
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("openapi.json does not parse", e);
        }
    }

    /** {@code "GET /api/v1/devices/{id}"} for every route under {@code /api/v1} the server has registered. */
    public Set<String> registeredRoutes() {
        InternalRouter r = router;
        if (r == null) throw new IllegalStateException("not registered with a server yet");
        Set<String> out = new TreeSet<>();
        for (ParsedEndpoint e : r.allHttpHandlers()) {
            if (!e.endpoint.method.isHttpMethod()) continue; // before/after filters
            if (!e.endpoint.path.startsWith("/api/v1/") && !e.endpoint.path.equals("/api/v1")) continue;
            out.add(e.endpoint.method.name() + " " + e.endpoint.path);
        }
        return out;
    }

    /** The document as served. */
    public byte[] document() {
        return document.clone();
    }
}
