package dev.holdfast.provisioning.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.provisioning.AllocationPolicy;
import dev.holdfast.provisioning.Enrollment;
import dev.holdfast.provisioning.EnrollmentJson;
import dev.holdfast.provisioning.Ids;
import dev.holdfast.provisioning.LinkedHub;
import dev.holdfast.provisioning.ProvisioningRefusal;
import dev.holdfast.registry.JsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the hub of a registration by the enrollment's {@link AllocationPolicy}. Hashing, region and
 * static are pure functions of the registration and the hub set; CEL programs are compiled once per
 * expression; the webhook is called over HTTPS with the TLS policy, a timeout and the failure policy.
 */
public final class Allocator {
    private static final Logger log = LoggerFactory.getLogger(Allocator.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_WEBHOOK_ANSWER = 64 * 1024;

    private final String ownRegion;
    private final HttpClient webhookClient;
    private final Cel cel = CelFactory.standardCelBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("registration", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .addVar("hubs", ListType.create(MapType.create(SimpleType.STRING, SimpleType.DYN)))
            .setResultType(SimpleType.STRING)
            .build();
    private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

    /** What the device is and says, as allocation sees it. */
    public record Context(String registrationId, Enrollment enrollment, ObjectNode payload, String certificateSubject, String certificateIssuer,
                          Optional<String> currentHub, Optional<String> currentDeviceId) {
    }

    /** The chosen hub, and what a webhook wanted besides (initial twin and tags, a payload for the device). */
    public record Decision(LinkedHub hub, Optional<JsonDocument> desired, Optional<JsonDocument> tags, Optional<ObjectNode> payload) {
        static Decision of(LinkedHub hub) {
            return new Decision(hub, Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /**
     * @param ownRegion  the provisioning service's region, the fallback of lowest-latency allocation
     * @param webhookTls the trust for webhook servers (the JDK's default roots when null)
     */
    public Allocator(String ownRegion, SSLContext webhookTls) {
        this.ownRegion = ownRegion == null ? "" : ownRegion;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1);
        if (webhookTls != null) {
            b.sslContext(webhookTls);
            SSLParameters p = new SSLParameters();
            p.setProtocols(TlsPolicy.protocols());
            p.setCipherSuites(TlsPolicy.cipherSuites());
            b.sslParameters(p);
        }
        this.webhookClient = b.build();
    }

    /** Checks that a CEL expression compiles (to a string); the refusal quotes the compiler. */
    public void validate(AllocationPolicy policy) {
        if (policy instanceof AllocationPolicy.Cel c) program(c.expression());
    }

    public Decision allocate(Context ctx, AllocationPolicy policy, List<LinkedHub> hubs) {
        if (hubs.isEmpty()) {
            throw ProvisioningRefusal.unavailable("no-hub", "no enabled linked hub is available to enrollment " + ctx.enrollment().reference()).exception();
        }
        return switch (policy) {
            case AllocationPolicy.Hashed h -> Decision.of(RendezvousHashing.pick(ctx.registrationId(), hubs));
            case AllocationPolicy.LowestLatency l -> Decision.of(lowestLatency(ctx, hubs));
            case AllocationPolicy.Static s -> Decision.of(byName(s.hub(), hubs).orElseThrow(() -> ProvisioningRefusal.unavailable("static-hub-unavailable",
                    "the static hub '" + s.hub() + "' of enrollment " + ctx.enrollment().reference() + " is not an enabled linked hub").exception()));
            case AllocationPolicy.Cel c -> Decision.of(cel(ctx, c, hubs));
            case AllocationPolicy.Webhook w -> webhook(ctx, w, hubs);
        };
    }

    private LinkedHub lowestLatency(Context ctx, List<LinkedHub> hubs) {
        String region = text(ctx.payload(), "region").orElseGet(() -> {
            JsonNode t = ctx.enrollment().settings().initialTags().get("region");
            return t != null && t.isTextual() ? t.asText() : ownRegion;
        });
        List<LinkedHub> near = hubs.stream().filter(h -> !region.isEmpty() && h.region().equals(region)).toList();
        if (near.isEmpty()) near = hubs.stream().filter(h -> !ownRegion.isEmpty() && h.region().equals(ownRegion)).toList();
        return RendezvousHashing.pick(ctx.registrationId(), near.isEmpty() ? hubs : near);
    }

    private LinkedHub cel(Context ctx, AllocationPolicy.Cel c, List<LinkedHub> hubs) {
        Map<String, Object> registration = new LinkedHashMap<>();
        registration.put("registrationId", ctx.registrationId());
        registration.put("payload", toCel(ctx.payload()));
        registration.put("tags", toCel(ctx.enrollment().settings().initialTags().toNode()));
        registration.put("certificate", Map.of("subject", ctx.certificateSubject(), "issuer", ctx.certificateIssuer()));
        List<Map<String, Object>> hubList = new ArrayList<>();
        for (LinkedHub h : hubs) hubList.add(Map.of("name", h.name(), "hostName", h.hostName(), "region", h.region(), "weight", (long) h.weight()));
        Object result;
        try {
            result = program(c.expression()).eval(Map.of("registration", registration, "hubs", hubList));
        } catch (CelEvaluationException e) {
            throw ProvisioningRefusal.unavailable("allocation-failed", "the custom allocation expression of " + ctx.enrollment().reference()
                    + " failed for '" + ctx.registrationId() + "': " + e.getMessage()).exception(e);
        }
        String name = String.valueOf(result);
        return byName(name, hubs).orElseThrow(() -> ProvisioningRefusal.unavailable("allocation-failed", "the custom allocation expression of "
                + ctx.enrollment().reference() + " chose '" + Ids.excerpt(name) + "', which is not an enabled linked hub of it").exception());
    }

    private CelRuntime.Program program(String expression) {
        CelRuntime.Program p = programs.get(expression);
        if (p != null) return p;
        try {
            CelAbstractSyntaxTree ast = cel.compile(expression).getAst();
            p = cel.createProgram(ast);
        } catch (CelValidationException e) {
            throw ProvisioningRefusal.invalidRequest("allocation.expression: does not compile to a string: " + e.getMessage()).exception(e);
        } catch (CelEvaluationException e) {
            throw ProvisioningRefusal.invalidRequest("allocation.expression: " + e.getMessage()).exception(e);
        }
        if (programs.size() > 1000) programs.clear(); // bounded: expressions come from enrollments, few in practice
        programs.put(expression, p);
        return p;
    }

    /** JSON to the maps, lists, strings, longs, doubles and booleans CEL takes as dyn. */
    static Object toCel(JsonNode n) {
        if (n == null || n.isNull()) return dev.cel.common.values.NullValue.NULL_VALUE;
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.properties().forEach(e -> m.put(e.getKey(), toCel(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(toCel(x)));
            return l;
        }
        if (n.isBoolean()) return n.asBoolean();
        if (n.isIntegralNumber() && n.canConvertToLong()) return n.asLong();
        if (n.isNumber()) return n.asDouble();
        return n.asText();
    }

    private Decision webhook(Context ctx, AllocationPolicy.Webhook w, List<LinkedHub> hubs) {
        try {
            return callWebhook(ctx, w, hubs);
        } catch (WebhookFailure e) {
            log.warn("allocation webhook {} failed for registration {}: {}", w.url(), ctx.registrationId(), e.getMessage());
            if (w.onFailure() == AllocationPolicy.FailurePolicy.HASHED) return Decision.of(RendezvousHashing.pick(ctx.registrationId(), hubs));
            throw ProvisioningRefusal.unavailable("allocation-webhook-failed", "the allocation webhook of " + ctx.enrollment().reference()
                    + " failed (" + e.getMessage() + "); retry later").exception(e);
        }
    }

    private static final class WebhookFailure extends Exception {
        WebhookFailure(String m, Throwable cause) {
            super(m, cause);
        }
    }

    private Decision callWebhook(Context ctx, AllocationPolicy.Webhook w, List<LinkedHub> hubs) throws WebhookFailure {
        ObjectNode req = JSON.createObjectNode();
        req.set(ctx.enrollment() instanceof Enrollment.Group ? "enrollmentGroup" : "individualEnrollment", EnrollmentJson.enrollment(ctx.enrollment()));
        ObjectNode runtime = req.putObject("deviceRuntimeContext");
        runtime.put("registrationId", ctx.registrationId());
        ctx.currentHub().ifPresent(h -> runtime.put("currentIotHubHostName", h));
        ctx.currentDeviceId().ifPresent(d -> runtime.put("currentDeviceId", d));
        ObjectNode x509 = runtime.putObject("x509");
        x509.put("subjectName", ctx.certificateSubject());
        x509.put("issuerName", ctx.certificateIssuer());
        runtime.set("payload", ctx.payload());
        ArrayNode linked = req.putArray("linkedHubs");
        hubs.forEach(h -> linked.add(h.hostName()));
        HttpResponse<byte[]> resp;
        try {
            resp = webhookClient.send(HttpRequest.newBuilder(w.url()).timeout(w.timeout()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(req.toString())).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new WebhookFailure("no answer within " + w.timeout(), e);
        } catch (IOException e) {
            throw new WebhookFailure("cannot reach it: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WebhookFailure("interrupted", e);
        }
        if (resp.statusCode() / 100 != 2) throw new WebhookFailure("HTTP " + resp.statusCode(), null);
        if (resp.body().length > MAX_WEBHOOK_ANSWER) throw new WebhookFailure("answer over " + MAX_WEBHOOK_ANSWER + " bytes", null);
        JsonNode answer;
        try {
            answer = JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new WebhookFailure("answer is not JSON", e);
        }
        if (answer == null || !answer.isObject()) throw new WebhookFailure("answer is not a JSON object", null);
        String host = answer.path("iotHubHostName").asText("");
        LinkedHub hub = hubs.stream().filter(h -> h.hostName().equals(host) || h.name().equals(host)).findFirst()
                .orElseThrow(() -> new WebhookFailure("it chose '" + Ids.excerpt(host) + "', which is not an enabled linked hub", null));
        Optional<JsonDocument> desired = Optional.empty();
        Optional<JsonDocument> tags = Optional.empty();
        JsonNode twin = answer.get("initialTwin");
        if (twin != null && twin.isObject()) {
            JsonNode d = twin.path("properties").path("desired");
            if (d.isObject()) desired = Optional.of(JsonDocument.of((ObjectNode) d));
            JsonNode t = twin.get("tags");
            if (t != null && t.isObject()) tags = Optional.of(JsonDocument.of((ObjectNode) t));
        }
        JsonNode p = answer.get("payload");
        Optional<ObjectNode> payload = p != null && p.isObject() ? Optional.of((ObjectNode) p) : Optional.empty();
        return new Decision(hub, desired, tags, payload);
    }

    private static Optional<LinkedHub> byName(String name, List<LinkedHub> hubs) {
        return hubs.stream().filter(h -> h.name().equals(name) || h.hostName().equals(name)).findFirst();
    }

    private static Optional<String> text(ObjectNode n, String name) {
        JsonNode v = n.get(name);
        return v != null && v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
    }
}
