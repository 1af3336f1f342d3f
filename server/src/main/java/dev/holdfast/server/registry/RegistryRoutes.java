package dev.holdfast.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.registry.Capabilities;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceFilter;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceJson;
import dev.holdfast.registry.DeviceModel;
import dev.holdfast.registry.DevicePage;
import dev.holdfast.registry.DeviceStatus;
import dev.holdfast.registry.DeviceTags;
import dev.holdfast.registry.DeviceUpdate;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.Precondition;
import dev.holdfast.registry.Registry;
import dev.holdfast.registry.RegistryJob;
import dev.holdfast.registry.RegistryLimits;
import dev.holdfast.registry.Twin;
import dev.holdfast.registry.query.DeviceQueries;
import dev.holdfast.server.http.BearerAuthentication;
import dev.holdfast.server.http.Problem;
import dev.holdfast.server.http.RouteModule;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The device registry over REST, under {@code /api/v1} (bearer token required, like every admin
 * route). Every response body is JSON; every error is problem+json, translated from the registry's
 * refusals in {@link RegistryProblems}. Twins, tags and devices carry an {@code ETag}; writes to them
 * honour {@code If-Match} and answer 412 with the current {@code ETag} when it is stale.
 * {@code docs/registry.md} has the shapes and examples; {@code /api/v1/openapi.json} the contract.
 */
public final class RegistryRoutes implements RouteModule {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest JSON request body: a device with full desired properties and tags fits with room to spare. */
    static final int MAX_JSON_BYTES = 128 * 1024;
    /** Largest import uploaded in a request; larger files go in the server's import directory. */
    static final long MAX_UPLOAD_BYTES = 1L << 30;
    static final int DEFAULT_PAGE = 100;
    private static final Set<String> JSON_LINES_TYPES = Set.of("application/x-ndjson", "application/jsonl", "application/json-lines",
            "application/jsonlines", "application/x-jsonlines");

    private final Registry registry;
    private final DeviceQueries queries;

    public RegistryRoutes(Registry registry, DeviceQueries queries) {
        this.registry = registry;
        this.queries = queries;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/api/v1/devices", t(this::createDevice));
        routes.get("/api/v1/devices", t(this::listDevices));
        routes.post("/api/v1/devices/query", t(this::query));
        routes.get("/api/v1/devices/{id}", t(this::showDevice));
        routes.patch("/api/v1/devices/{id}", t(this::patchDevice));
        routes.put("/api/v1/devices/{id}", t(this::putDevice));
        routes.delete("/api/v1/devices/{id}", t(this::deleteDevice));
        routes.post("/api/v1/devices/{id}/status", t(this::setStatus));
        routes.post("/api/v1/devices/{id}/lifecycle", t(this::setLifecycle));
        routes.get("/api/v1/devices/{id}/twin", t(this::showTwin));
        routes.patch("/api/v1/devices/{id}/twin", t(this::patchTwin));
        routes.get("/api/v1/devices/{id}/tags", t(this::showTags));
        routes.put("/api/v1/devices/{id}/tags", t(this::replaceTags));
        routes.patch("/api/v1/devices/{id}/tags", t(this::mergeTags));

        routes.post("/api/v1/models", t(this::createModel));
        routes.get("/api/v1/models", t(this::listModels));
        routes.get("/api/v1/models/{id}", t(ctx -> ctx.json(DeviceJson.model(registry.models().get(ctx.pathParam("id"))))));
        routes.put("/api/v1/models/{id}", t(this::replaceModel));
        routes.delete("/api/v1/models/{id}", t(this::deleteModel));

        routes.post("/api/v1/jobs/import", t(this::startImport));
        routes.post("/api/v1/jobs/export", t(this::startExport));
        routes.get("/api/v1/jobs", t(this::listJobs));
        routes.get("/api/v1/jobs/{id}", t(ctx -> ctx.json(DeviceJson.job(registry.jobs().get(ctx.pathParam("id"))))));
        routes.get("/api/v1/jobs/{id}/output", t(this::jobOutput));
    }

    private static Handler t(Handler h) {
        return RegistryProblems.translated(h);
    }

    // ------------------------------------------------------------------------------------ devices

    private void createDevice(Context ctx) {
        Device d = registry.devices().create(DeviceJson.parseNewDevice(jsonBody(ctx), false), actor(ctx));
        ctx.status(201).header("Location", "/api/v1/devices/" + pathSegment(d.id().value()));
        device(ctx, d);
    }

    private void listDevices(Context ctx) {
        int limit = intParam(ctx, "limit", DEFAULT_PAGE);
        DeviceFilter filter = new DeviceFilter(param(ctx, "status").map(DeviceStatus::parse), param(ctx, "lifecycle").map(LifecycleState::parse),
                param(ctx, "hub"), param(ctx, "modelId"), param(ctx, "parentId").map(DeviceId::parse));
        DevicePage page = registry.devices().list(filter, param(ctx, "after").map(DeviceId::parse), limit);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        page.items().forEach(d -> items.add(DeviceJson.device(d)));
        out.put("next", page.next().map(DeviceId::value).orElse(null));
        ctx.json(out);
    }

    private void showDevice(Context ctx) {
        device(ctx, registry.devices().get(deviceId(ctx)));
    }

    /** JSON merge patch of the identity fields: a member set to null clears it (hub, statusReason, parentId, modelId). */
    private void patchDevice(Context ctx) {
        ObjectNode body = jsonBody(ctx);
        DeviceJson.checkMembers(body, Set.of("hub", "status", "statusReason", "lifecycle", "reason", "authentication", "parentId", "modelId",
                "capabilities"), Set.of("deviceId"));
        checkSameId(ctx, body);
        DeviceUpdate.Builder u = DeviceUpdate.builder();
        if (body.has("hub")) u.hub(nullableText(body, "hub"));
        required(body, "status").ifPresent(s -> u.status(DeviceStatus.parse(s)));
        if (body.has("statusReason")) u.statusReason(nullableText(body, "statusReason"));
        required(body, "lifecycle").ifPresent(l -> u.lifecycle(LifecycleState.parse(l)));
        DeviceJson.text(body, "reason").ifPresent(u::reason);
        if (body.has("authentication")) u.authentication(DeviceJson.authentication(body.get("authentication"))
                .orElseThrow(() -> DeviceJson.invalidField("authentication", "null (expected: {\"type\": ...})")));
        if (body.has("parentId")) u.parent(Optional.ofNullable(nullableText(body, "parentId")).map(DeviceId::parse).orElse(null));
        if (body.has("modelId")) u.model(nullableText(body, "modelId"));
        if (body.has("capabilities")) u.capabilities(capabilities(body.get("capabilities")));
        device(ctx, registry.devices().update(deviceId(ctx), u.build(), ifMatch(ctx), actor(ctx)));
    }

    /**
     * Replaces the identity fields: {@code status}, {@code lifecycle} and {@code authentication} are
     * required; {@code hub}, {@code statusReason}, {@code parentId}, {@code modelId} left out are cleared
     * and {@code capabilities} left out is not a gateway. Tags and twin have their own resources.
     */
    private void putDevice(Context ctx) {
        ObjectNode body = jsonBody(ctx);
        if (body.has("tags") || body.has("properties")) {
            throw Problem.badRequest("invalid-field", "tags and properties are not replaced with the device; use PUT /api/v1/devices/{id}/tags "
                    + "and PATCH /api/v1/devices/{id}/twin").exception();
        }
        DeviceJson.checkMembers(body, Set.of("deviceId", "hub", "status", "statusReason", "lifecycle", "reason", "authentication", "parentId",
                "modelId", "capabilities"), Set.of());
        checkSameId(ctx, body);
        DeviceUpdate.Builder u = DeviceUpdate.builder()
                .status(DeviceStatus.parse(required(body, "status").orElseThrow(() -> missing("status"))))
                .lifecycle(LifecycleState.parse(required(body, "lifecycle").orElseThrow(() -> missing("lifecycle"))))
                .authentication(DeviceJson.authentication(body.get("authentication")).orElseThrow(() -> missing("authentication")))
                .hub(nullableText(body, "hub")).statusReason(nullableText(body, "statusReason"))
                .parent(Optional.ofNullable(nullableText(body, "parentId")).map(DeviceId::parse).orElse(null))
                .model(nullableText(body, "modelId"))
                .capabilities(body.has("capabilities") ? capabilities(body.get("capabilities")) : Capabilities.NONE);
        DeviceJson.text(body, "reason").ifPresent(u::reason);
        device(ctx, registry.devices().update(deviceId(ctx), u.build(), ifMatch(ctx), actor(ctx)));
    }

    private void deleteDevice(Context ctx) {
        registry.devices().delete(deviceId(ctx), ifMatch(ctx), actor(ctx));
        ctx.status(204);
    }

    /** {@code {"status": "disabled", "reason": "reported stolen"}}. */
    private void setStatus(Context ctx) {
        ObjectNode body = jsonBody(ctx);
        DeviceJson.checkMembers(body, Set.of("status", "reason"), Set.of());
        DeviceStatus status = DeviceStatus.parse(required(body, "status").orElseThrow(() -> missing("status")));
        DeviceUpdate u = DeviceUpdate.builder().status(status).statusReason(DeviceJson.text(body, "reason").orElse(null)).build();
        device(ctx, registry.devices().update(deviceId(ctx), u, ifMatch(ctx), actor(ctx)));
    }

    /** {@code {"state": "quarantined", "reason": "CVE-2026-1234"}}. */
    private void setLifecycle(Context ctx) {
        ObjectNode body = jsonBody(ctx);
        DeviceJson.checkMembers(body, Set.of("state", "reason"), Set.of());
        LifecycleState state = LifecycleState.parse(required(body, "state").orElseThrow(() -> missing("state")));
        DeviceUpdate u = DeviceUpdate.builder().lifecycle(state).reason(DeviceJson.text(body, "reason").orElse(null)).build();
        device(ctx, registry.devices().update(deviceId(ctx), u, ifMatch(ctx), actor(ctx)));
    }

    private static void device(Context ctx, Device d) {
        ctx.header("ETag", d.etag().header()).json(DeviceJson.device(d));
    }

    // ------------------------------------------------------------------------------------ twin and tags

    private void showTwin(Context ctx) {
        twin(ctx, registry.devices().twin(deviceId(ctx)));
    }

    /** IoT Hub's shape: {@code {"properties": {"desired": {...merge patch...}}}}. */
    private void patchTwin(Context ctx) {
        ObjectNode body = jsonBody(ctx);
        DeviceJson.checkMembers(body, Set.of("properties"), Set.of("deviceId", "etag"));
        if (body.has("tags")) throw Problem.badRequest("invalid-field", "tags: patched at /api/v1/devices/{id}/tags, not with the twin").exception();
        ObjectNode props = DeviceJson.object(body.get("properties"), "properties");
        DeviceJson.checkMembers(props, Set.of("desired"), Set.of());
        if (props.has("reported")) throw Problem.badRequest("invalid-field", "properties.reported: written by the device, not over the API").exception();
        ObjectNode desired = DeviceJson.object(props.get("desired"), "properties.desired");
        twin(ctx, registry.devices().patchDesired(deviceId(ctx), JsonDocument.of(desired), ifMatch(ctx), actor(ctx)));
    }

    private static void twin(Context ctx, Twin t) {
        ctx.header("ETag", t.etag().header()).json(DeviceJson.twin(t));
    }

    private void showTags(Context ctx) {
        tags(ctx, registry.devices().tags(deviceId(ctx)));
    }

    private void replaceTags(Context ctx) {
        tags(ctx, registry.devices().replaceTags(deviceId(ctx), JsonDocument.of(jsonBody(ctx)), ifMatch(ctx), actor(ctx)));
    }

    private void mergeTags(Context ctx) {
        tags(ctx, registry.devices().mergeTags(deviceId(ctx), JsonDocument.of(jsonBody(ctx)), ifMatch(ctx), actor(ctx)));
    }

    private static void tags(Context ctx, DeviceTags t) {
        ctx.header("ETag", t.etag().header()).json(t.tags().toNode());
    }

    // ------------------------------------------------------------------------------------ query

    /** {@code {"query": "SELECT ...", "continuation": "...", "pageSize": 100}} → {@code {"rows": [...], "continuation": ...}}. */
    private void query(Context ctx) {
        ObjectNode body = jsonBody(ctx);
        DeviceJson.checkMembers(body, Set.of("query", "continuation", "pageSize"), Set.of());
        String q = required(body, "query").orElseThrow(() -> missing("query"));
        if (q.length() > 8192) throw Problem.badRequest("query-too-long", "query: " + q.length() + " characters (expected: at most 8192)").exception();
        int pageSize = DEFAULT_PAGE;
        JsonNode ps = body.get("pageSize");
        if (ps != null && !ps.isNull()) {
            if (!ps.canConvertToInt() || !ps.isIntegralNumber() || ps.intValue() < 1 || ps.intValue() > 1000) {
                throw Problem.badRequest("invalid-field", "pageSize: " + ps + " (expected: 1..1000)").exception();
            }
            pageSize = ps.intValue();
        }
        DeviceQueries.QueryPage page = queries.execute(q, DeviceJson.text(body, "continuation"), pageSize);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode rows = out.putArray("rows");
        page.rows().forEach(rows::add);
        out.put("continuation", page.continuation().orElse(null));
        ctx.json(out);
    }

    // ------------------------------------------------------------------------------------ models

    private void createModel(Context ctx) {
        DeviceModel m = registry.models().create(DeviceJson.parseModel(jsonBody(ctx), Optional.empty()), actor(ctx));
        ctx.status(201).header("Location", "/api/v1/models/" + pathSegment(m.id())).json(DeviceJson.model(m));
    }

    private void listModels(Context ctx) {
        int limit = intParam(ctx, "limit", DEFAULT_PAGE);
        var models = registry.models().list(param(ctx, "after"), limit);
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        models.forEach(m -> items.add(DeviceJson.model(m)));
        out.put("next", models.size() == limit ? models.get(limit - 1).id() : null);
        ctx.json(out);
    }

    private void replaceModel(Context ctx) {
        ctx.json(DeviceJson.model(registry.models().replace(DeviceJson.parseModel(jsonBody(ctx), Optional.of(ctx.pathParam("id"))), actor(ctx))));
    }

    private void deleteModel(Context ctx) {
        registry.models().delete(ctx.pathParam("id"), actor(ctx));
        ctx.status(204);
    }

    // ------------------------------------------------------------------------------------ jobs

    /**
     * A JSON Lines body ({@code Content-Type: application/x-ndjson}) is stored and imported; a JSON body
     * {@code {"path": "fleet.jsonl"}} imports a file from the server's import directory.
     */
    private void startImport(Context ctx) {
        String type = mediaType(ctx);
        RegistryJob job;
        if (type.equals("application/json")) {
            ObjectNode body = jsonBody(ctx);
            DeviceJson.checkMembers(body, Set.of("path"), Set.of());
            String path = required(body, "path").orElseThrow(() -> missing("path"));
            Path p;
            try {
                p = Path.of(path);
            } catch (InvalidPathException e) {
                throw Problem.badRequest("invalid-field", "path: '" + RegistryLimits.excerpt(path) + "' is not a file path").exception();
            }
            job = registry.jobs().importFile(p, actor(ctx));
        } else if (JSON_LINES_TYPES.contains(type)) {
            long declared = ctx.contentLength();
            if (declared > MAX_UPLOAD_BYTES) {
                throw new Problem(413, "upload-too-large", "Content too large", "import upload of " + declared + " bytes exceeds the limit of "
                        + MAX_UPLOAD_BYTES + " bytes (place larger files in the server's import directory and import them by path)").exception();
            }
            try {
                job = registry.jobs().importUpload(ctx.req().getInputStream(), MAX_UPLOAD_BYTES, actor(ctx));
            } catch (IOException e) {
                throw Problem.badRequest("upload-failed", "the upload could not be read: " + e.getMessage()).exception(e);
            }
        } else {
            throw new Problem(415, "unsupported-media-type", "Unsupported media type", "Content-Type '" + RegistryLimits.excerpt(type)
                    + "' (expected: application/x-ndjson with JSON Lines, or application/json with {\"path\": ...})").exception();
        }
        accepted(ctx, job);
    }

    private void startExport(Context ctx) {
        if (ctx.bodyAsBytes().length > 0) DeviceJson.checkMembers(jsonBody(ctx), Set.of(), Set.of());
        accepted(ctx, registry.jobs().export(actor(ctx)));
    }

    private static void accepted(Context ctx, RegistryJob job) {
        ctx.status(202).header("Location", "/api/v1/jobs/" + job.id()).json(DeviceJson.job(job));
    }

    private void listJobs(Context ctx) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        registry.jobs().list(intParam(ctx, "limit", DEFAULT_PAGE)).forEach(j -> items.add(DeviceJson.job(j)));
        ctx.json(out);
    }

    private void jobOutput(Context ctx) throws IOException {
        Path file = registry.jobs().exportFile(ctx.pathParam("id"));
        ctx.contentType("application/x-ndjson").header("Content-Disposition", "attachment; filename=\"devices-" + ctx.pathParam("id") + ".jsonl\"")
                .result(Files.newInputStream(file));
    }

    // ------------------------------------------------------------------------------------ helpers

    private static String actor(Context ctx) {
        return BearerAuthentication.actor(ctx);
    }

    private static DeviceId deviceId(Context ctx) {
        return DeviceId.parse(ctx.pathParam("id"));
    }

    private static Precondition ifMatch(Context ctx) {
        return Precondition.parseIfMatch(ctx.header("If-Match"));
    }

    private static void checkSameId(Context ctx, ObjectNode body) {
        DeviceJson.text(body, "deviceId").ifPresent(b -> {
            if (!b.equals(ctx.pathParam("id"))) {
                throw Problem.badRequest("invalid-field", "deviceId: '" + RegistryLimits.excerpt(b) + "' differs from the id in the path").exception();
            }
        });
    }

    private static Capabilities capabilities(JsonNode n) {
        ObjectNode o = DeviceJson.object(n, "capabilities");
        DeviceJson.checkMembers(o, Set.of("gateway"), Set.of());
        JsonNode g = o.get("gateway");
        if (g == null || !g.isBoolean()) throw DeviceJson.invalidField("capabilities.gateway", "expected true or false");
        return new Capabilities(g.booleanValue());
    }

    /** A string member that may be null (to clear a field); absent reads as null too. */
    private static String nullableText(ObjectNode body, String field) {
        return DeviceJson.text(body, field).orElse(null);
    }

    /** A string member that must not be null when present. */
    private static Optional<String> required(ObjectNode body, String field) {
        if (body.has(field) && body.get(field).isNull()) throw DeviceJson.invalidField(field, "null (expected: a string)");
        return DeviceJson.text(body, field);
    }

    private static RuntimeException missing(String field) {
        return Problem.badRequest("missing-field", field + ": missing").exception();
    }

    /** The request body as a JSON object, at most {@link #MAX_JSON_BYTES}; problems for anything else. */
    private static ObjectNode jsonBody(Context ctx) {
        long declared = ctx.contentLength();
        if (declared > MAX_JSON_BYTES) {
            throw new Problem(413, "body-too-large", "Content too large", "request body of " + declared + " bytes exceeds the limit of "
                    + MAX_JSON_BYTES + " bytes").exception();
        }
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > MAX_JSON_BYTES) {
            throw new Problem(413, "body-too-large", "Content too large", "request body of " + raw.length + " bytes exceeds the limit of "
                    + MAX_JSON_BYTES + " bytes").exception();
        }
        JsonNode n;
        try {
            n = JSON.readTree(raw);
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            int nl = m.indexOf('\n');
            throw Problem.badRequest("malformed-body", "request body is not valid JSON: " + RegistryLimits.excerpt(nl > 0 ? m.substring(0, nl) : m))
                    .exception(e);
        }
        if (!(n instanceof ObjectNode o)) throw Problem.badRequest("malformed-body", "request body is not a JSON object").exception();
        return o;
    }

    private static String mediaType(Context ctx) {
        String ct = ctx.contentType();
        if (ct == null) return "";
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    private static Optional<String> param(Context ctx, String name) {
        return Optional.ofNullable(ctx.queryParam(name)).filter(s -> !s.isEmpty());
    }

    private static int intParam(Context ctx, String name, int dflt) {
        String v = ctx.queryParam(name);
        if (v == null || v.isEmpty()) return dflt;
        try {
            int n = Integer.parseInt(v);
            if (n < 1 || n > 1000) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw Problem.badRequest("invalid-parameter", name + ": '" + RegistryLimits.excerpt(v) + "' (expected: 1..1000)").exception();
        }
    }

    /** A device or model id as one percent-encoded path segment. */
    static String pathSegment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
