package dev.holdfast.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.server.http.RouteModule;
import io.javalin.config.RoutesConfig;
import io.javalin.router.InternalRouter;
import io.javalin.router.ParsedEndpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Serves the OpenAPI 3 document of the whole admin API at {@code /api/v1/openapi.json}: a hand-written
 * resource ({@code openapi.json} beside this class, with the registry's routes and the shared
 * components) merged with one fragment per further module ({@link #FRAGMENTS}, under
 * {@code dev/holdfast/server/openapi/}), so that modules document their routes in files of their own.
 * A test holds the merged document against the routes the running server has registered, in both
 * directions ({@link #documentedRoutes()}, {@link #registeredRoutes()}).
 *
 * <p>A fragment is an object with any of {@code tags} (array), {@code paths} and
 * {@code components.schemas} (objects); a path or schema defined twice is an error at startup.
 */
public final class OpenApiRoutes implements RouteModule {
    static final String PATH = "/api/v1/openapi.json";
    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete", "head", "options");

    /** The fragments merged into the base document, in order: file names under {@code dev/holdfast/server/openapi/}. */
    static final List<String> FRAGMENTS = List.of("provisioning.json", "events.json", "posture.json", "hub.json");

    private final byte[] document;
    private volatile InternalRouter router;

    public OpenApiRoutes() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode base = (ObjectNode) read(json, "openapi.json");
        for (String name : FRAGMENTS) merge(base, read(json, "/dev/holdfast/server/openapi/" + name), name);
        try {
            this.document = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(base);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the OpenAPI document", e);
        }
    }

    private static JsonNode read(ObjectMapper json, String resource) {
        try (InputStream in = OpenApiRoutes.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is missing from the server's resources");
            return json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static void merge(ObjectNode base, JsonNode fragment, String name) {
        if (fragment.has("tags")) {
            ArrayNode tags = base.withArrayProperty("tags");
            fragment.get("tags").forEach(t -> tags.add(t));
        }
        mergeFields(base.withObjectProperty("paths"), fragment.path("paths"), name, "path");
        mergeFields(base.withObjectProperty("components").withObjectProperty("schemas"), fragment.path("components").path("schemas"), name, "schema");
    }

    private static void mergeFields(ObjectNode into, JsonNode from, String fragment, String what) {
        Iterator<Map.Entry<String, JsonNode>> it = from.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (into.has(e.getKey())) {
                throw new IllegalStateException("OpenAPI fragment " + fragment + " defines " + what + " " + e.getKey()
                        + " again (each path and schema belongs to one file)");
            }
            into.set(e.getKey(), e.getValue());
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
