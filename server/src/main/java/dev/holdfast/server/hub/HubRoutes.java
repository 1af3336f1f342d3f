package dev.holdfast.server.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.hub.CloudToDeviceMessage;
import dev.holdfast.hub.HubRefusedException;
import dev.holdfast.hub.MethodResult;
import dev.holdfast.hub.MqttHub;
import dev.holdfast.hub.SessionInfo;
import dev.holdfast.hub.internal.JdbcTelemetryStore;
import dev.holdfast.server.http.BearerAuthentication;
import dev.holdfast.server.http.Problem;
import dev.holdfast.server.http.RouteModule;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The hub over REST, under {@code /api/v1/hub} (bearer token required): live sessions (list, show,
 * end), cloud-to-device messages (send, status, a device's recent ones), direct methods, and the
 * built-in telemetry store, the telemetry routes. Desired properties are changed through the registry's twin resource
 * ({@code PATCH /api/v1/devices/{id}/twin}); the hub pushes the change to a connected device.
 */
public final class HubRoutes implements RouteModule {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_JSON_BYTES = 256 * 1024;

    private final MqttHub hub;

    public HubRoutes(MqttHub hub) {
        this.hub = hub;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/v1/hub/sessions", t(this::sessions));
        routes.get("/api/v1/hub/sessions/{deviceId}", t(ctx -> ctx.json(session(hub.session(ctx.pathParam("deviceId"))
                .orElseThrow(() -> offline(ctx.pathParam("deviceId")))))));
        routes.delete("/api/v1/hub/sessions/{deviceId}", t(this::kick));
        routes.post("/api/v1/hub/devices/{deviceId}/messages", t(this::send));
        routes.get("/api/v1/hub/devices/{deviceId}/messages", t(this::messages));
        routes.get("/api/v1/hub/messages/{messageId}", t(ctx -> ctx.json(message(hub.cloudToDeviceMessage(ctx.pathParam("messageId"))
                .orElseThrow(() -> Problem.notFound("message-not-found", "cloud-to-device message '" + ctx.pathParam("messageId")
                        + "' does not exist").exception())))));
        routes.post("/api/v1/hub/devices/{deviceId}/methods/{method}", t(this::invoke));
        routes.get("/api/v1/hub/devices/{deviceId}/telemetry", t(this::telemetry));
        routes.get("/api/v1/hub/routes", t(this::telemetryRoutes));
    }

    /** The configured telemetry routes (hub.routes) with their counters since start. */
    private void telemetryRoutes(Context ctx) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        dev.holdfast.hub.routing.TelemetryRouter router = hub.router();
        if (router != null) {
            for (dev.holdfast.hub.routing.Route r : router.routes()) {
                ObjectNode n = items.addObject();
                n.put("name", r.name());
                n.put("condition", r.condition().toString());
                switch (r.endpoint()) {
                    case dev.holdfast.hub.routing.RouteEndpoint.Store s -> n.put("endpoint", "store");
                    case dev.holdfast.hub.routing.RouteEndpoint.JsonLines j -> n.put("endpoint", "file").put("target", j.path().toString());
                    case dev.holdfast.hub.routing.RouteEndpoint.Webhook w -> n.put("endpoint", "webhook").put("target", w.url().toString());
                }
                dev.holdfast.hub.routing.RouteMetrics m = router.metrics(r.name());
                n.put("matched", m.matched()).put("delivered", m.delivered()).put("failed", m.failed());
            }
        }
        ctx.json(out);
    }

    /** Translates the hub's refusals into problems, in one place. */
    private static Handler t(Handler h) {
        return ctx -> {
            try {
                h.handle(ctx);
            } catch (HubRefusedException e) {
                throw problem(e).exception();
            }
        };
    }

    private static Problem problem(HubRefusedException e) {
        String title = switch (e.status()) {
            case 404 -> "Not found";
            case 413 -> "Too large";
            case 429 -> "Too many pending";
            case 504 -> "Device did not answer";
            default -> "Refused";
        };
        return new Problem(e.status(), e.code(), title, e.getMessage());
    }

    private static RuntimeException offline(String deviceId) {
        return Problem.notFound("device-offline", "device '" + deviceId + "' has no session on this hub").exception();
    }

    private void sessions(Context ctx) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        for (SessionInfo s : hub.sessions()) items.add(session(s));
        ctx.json(out);
    }

    static ObjectNode session(SessionInfo s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("deviceId", s.deviceId());
        n.put("moduleId", s.moduleId().orElse(null));
        n.put("remoteAddress", s.remoteAddress());
        n.put("mqttVersion", s.mqttVersion());
        n.put("tlsProtocol", s.tlsProtocol());
        n.put("cipherSuite", s.cipherSuite());
        n.put("connectedAt", s.connectedAt() == null ? null : s.connectedAt().toString());
        n.put("scope", s.scope());
        n.put("certificateSha256", s.certificateSha256());
        return n;
    }

    private void kick(Context ctx) {
        String id = ctx.pathParam("deviceId");
        if (!hub.kick(id, BearerAuthentication.actor(ctx))) throw offline(id);
        ctx.status(204);
    }

    /** {@code {"body": "text"} or {"bodyBase64": "..."}, "properties": {"k": "v"}, "ttl": "PT10M"}}. */
    private void send(Context ctx) {
        ObjectNode body = jsonBody(ctx);
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Map.of("body", 1, "bodyBase64", 1, "properties", 1, "ttl", 1).containsKey(f)) {
                throw Problem.badRequest("invalid-field", f + ": unknown member (expected: body or bodyBase64, properties, ttl)").exception();
            }
        }
        if (body.has("body") == body.has("bodyBase64")) {
            throw Problem.badRequest("invalid-field", "exactly one of body (text) and bodyBase64 is required").exception();
        }
        byte[] payload;
        if (body.has("body")) {
            if (!body.get("body").isTextual()) throw Problem.badRequest("invalid-field", "body: not a string").exception();
            payload = body.get("body").asText().getBytes(StandardCharsets.UTF_8);
        } else {
            try {
                payload = Base64.getDecoder().decode(body.get("bodyBase64").asText());
            } catch (IllegalArgumentException e) {
                throw Problem.badRequest("invalid-field", "bodyBase64: not base64").exception();
            }
        }
        Map<String, String> props = new LinkedHashMap<>();
        JsonNode p = body.path("properties");
        if (!p.isMissingNode() && !p.isObject()) throw Problem.badRequest("invalid-field", "properties: not an object of strings").exception();
        for (var it = p.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual()) throw Problem.badRequest("invalid-field", "properties." + e.getKey() + ": not a string").exception();
            if (e.getKey().startsWith("$") || e.getKey().startsWith("iothub-")) {
                throw Problem.badRequest("invalid-field", "properties." + e.getKey() + ": names starting with $ or iothub- are reserved").exception();
            }
            props.put(e.getKey(), e.getValue().asText());
        }
        Optional<Duration> ttl = Optional.empty();
        if (body.has("ttl")) {
            try {
                ttl = Optional.of(Duration.parse(body.get("ttl").asText()));
            } catch (DateTimeParseException e) {
                throw Problem.badRequest("invalid-field", "ttl: '" + body.get("ttl").asText() + "' is not an ISO-8601 duration (PT10M)").exception();
            }
        }
        CloudToDeviceMessage m = hub.sendCloudToDevice(ctx.pathParam("deviceId"), props, payload, ttl);
        ctx.status(201).header("Location", "/api/v1/hub/messages/" + m.id()).json(message(m));
    }

    private void messages(Context ctx) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        for (CloudToDeviceMessage m : hub.cloudToDeviceMessages(ctx.pathParam("deviceId"), limit(ctx))) items.add(message(m));
        ctx.json(out);
    }

    static ObjectNode message(CloudToDeviceMessage m) {
        ObjectNode n = JSON.createObjectNode();
        n.put("messageId", m.id());
        n.put("deviceId", m.deviceId());
        n.put("status", m.status().wireName());
        n.set("properties", JSON.valueToTree(m.properties()));
        n.put("bodyBytes", m.body().length());
        n.put("createdAt", m.createdAt().toString());
        n.put("expiresAt", m.expiresAt().toString());
        n.put("deliveredAt", m.deliveredAt().map(Object::toString).orElse(null));
        n.put("completedAt", m.completedAt().map(Object::toString).orElse(null));
        n.put("attempts", m.attempts());
        return n;
    }

    /** {@code {"payload": <any JSON>, "timeoutSeconds": 30}}; answers {@code {"status": 200, "payload": ...}}. */
    private void invoke(Context ctx) {
        ObjectNode body = jsonBody(ctx);
        int timeout = body.path("timeoutSeconds").asInt(30);
        if (timeout < 1 || timeout > 300) throw Problem.badRequest("invalid-field", "timeoutSeconds: " + timeout + " (expected: 1..300)").exception();
        String payload = body.has("payload") ? body.get("payload").toString() : "null";
        try {
            MethodResult r = hub.invokeMethod(ctx.pathParam("deviceId"), ctx.pathParam("method"), payload, Duration.ofSeconds(timeout))
                    .get(timeout + 5L, TimeUnit.SECONDS);
            ObjectNode out = JSON.createObjectNode();
            out.put("status", r.status());
            try {
                out.set("payload", JSON.readTree(r.payloadJson()));
            } catch (java.io.IOException e) {
                out.put("payload", r.payloadJson());
            }
            ctx.json(out);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HubRefusedException h) throw problem(h).exception();
            throw new IllegalStateException("direct method failed", e.getCause());
        } catch (TimeoutException e) {
            throw new Problem(504, "method-timeout", "Device did not answer", "no answer within " + timeout + " s").exception();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Problem(503, "interrupted", "Interrupted", "the server is stopping").exception();
        }
    }

    private void telemetry(Context ctx) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        for (JdbcTelemetryStore.Stored s : hub.telemetryStore().recent(ctx.pathParam("deviceId"), limit(ctx))) {
            ObjectNode n = items.addObject();
            n.put("deviceId", s.message().deviceId());
            n.put("moduleId", s.message().moduleId().orElse(null));
            n.put("enqueuedAt", s.message().enqueuedAt().toString());
            n.set("systemProperties", JSON.valueToTree(s.message().system()));
            n.set("properties", JSON.valueToTree(s.message().properties()));
            n.put("bodyBase64", Base64.getEncoder().encodeToString(s.message().body().toArray()));
            n.put("will", s.message().will());
        }
        ctx.json(out);
    }

    private static int limit(Context ctx) {
        String l = ctx.queryParam("limit");
        if (l == null) return 100;
        try {
            int n = Integer.parseInt(l);
            if (n >= 1 && n <= 1000) return n;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw Problem.badRequest("invalid-limit", "limit: '" + l + "' (expected: 1..1000)").exception();
    }

    private static ObjectNode jsonBody(Context ctx) {
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > MAX_JSON_BYTES) {
            throw new Problem(413, "body-too-large", "Too large", "request body of " + raw.length + " bytes exceeds " + MAX_JSON_BYTES).exception();
        }
        if (raw.length == 0) return JSON.createObjectNode();
        try {
            JsonNode n = JSON.readTree(raw);
            if (n == null || !n.isObject()) throw Problem.badRequest("invalid-json", "the body is not a JSON object").exception();
            return (ObjectNode) n;
        } catch (java.io.IOException e) {
            throw Problem.badRequest("invalid-json", "the body is not valid JSON: " + e.getMessage()).exception();
        }
    }
}
