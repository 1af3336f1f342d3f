package dev.holdfast.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.RefusedException;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.RegistryRefusedException;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The JSON shapes of enrollments, as the REST API takes and returns them and the store keeps them.
 * Reading untrusted JSON refuses with {@link ProvisioningRefusal#invalidRequest} naming the member.
 */
public final class EnrollmentJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private EnrollmentJson() {
    }

    public static ObjectNode settings(EnrollmentSettings s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("enabled", s.enabled());
        n.set("initialTwin", s.initialTwin().toNode());
        n.set("initialTags", s.initialTags().toNode());
        s.model().ifPresent(m -> n.put("model", m));
        n.put("gateway", s.gateway());
        n.set("allocation", allocation(s.allocation()));
        ArrayNode hubs = n.putArray("linkedHubs");
        s.linkedHubs().forEach(hubs::add);
        n.put("reprovisionPolicy", s.reprovision().wireName());
        n.put("profile", s.profile().id());
        s.validity().ifPresent(v -> n.put("validity", v.toString()));
        return n;
    }

    public static ObjectNode allocation(AllocationPolicy p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", p.type());
        switch (p) {
            case AllocationPolicy.Hashed h -> { }
            case AllocationPolicy.LowestLatency l -> { }
            case AllocationPolicy.Static s -> n.put("hub", s.hub());
            case AllocationPolicy.Cel c -> n.put("expression", c.expression());
            case AllocationPolicy.Webhook w -> {
                n.put("url", w.url().toString());
                n.put("timeout", w.timeout().toString());
                n.put("onFailure", w.onFailure().wireName());
            }
        }
        return n;
    }

    public static ObjectNode attestation(EnrollmentAttestation a) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", a.type());
        switch (a) {
            case EnrollmentAttestation.X509Ca ca -> n.put("caName", ca.caName());
            case EnrollmentAttestation.X509Leaf leaf -> n.put("thumbprint", leaf.thumbprint());
            case EnrollmentAttestation.Tpm tpm -> {
                n.put("endorsementKey", tpm.endorsementKey().base64());
                tpm.ekCertificate().ifPresent(c -> n.put("ekCertificate", c.base64()));
            }
        }
        return n;
    }

    public static ObjectNode enrollment(Enrollment e) {
        ObjectNode n = JSON.createObjectNode();
        switch (e) {
            case Enrollment.Group g -> {
                n.put("kind", "group");
                n.put("id", g.id());
            }
            case Enrollment.Individual i -> {
                n.put("kind", "individual");
                n.put("registrationId", i.registrationId());
                i.deviceId().ifPresent(d -> n.put("deviceId", d));
            }
        }
        n.set("attestation", attestation(e.attestation()));
        n.setAll(settings(e.settings()));
        n.put("createdAt", e.createdAt().toString());
        n.put("updatedAt", e.updatedAt().toString());
        n.put("etag", "\"" + e.version() + "\"");
        return n;
    }

    /** Settings from a request body (members absent take the defaults of {@link EnrollmentSettings}). */
    public static EnrollmentSettings settingsFrom(JsonNode n) {
        if (n == null || !n.isObject()) throw bad("body: a JSON object expected");
        boolean enabled = bool(n, "enabled", true);
        JsonDocument twin = doc(n, "initialTwin");
        JsonDocument tags = doc(n, "initialTags");
        Optional<String> model = text(n, "model");
        boolean gateway = bool(n, "gateway", false);
        AllocationPolicy allocation = n.hasNonNull("allocation") ? allocationFrom(n.get("allocation")) : null;
        List<String> hubs = new ArrayList<>();
        JsonNode h = n.get("linkedHubs");
        if (h != null && !h.isNull()) {
            if (!h.isArray() || h.size() > 100) throw bad("linkedHubs: an array of at most 100 hub names expected");
            for (JsonNode x : h) {
                if (!x.isTextual()) throw bad("linkedHubs: hub names are strings");
                hubs.add(x.asText());
            }
        }
        ReprovisionPolicy re = text(n, "reprovisionPolicy").map(ReprovisionPolicy::parse).orElse(null);
        Profile profile = null;
        Optional<String> p = text(n, "profile");
        if (p.isPresent()) {
            try {
                profile = Profile.parse(p.get());
            } catch (RefusedException e) {
                throw bad("profile: '" + Ids.excerpt(p.get()) + "' (expected: device or gateway)");
            }
        }
        Optional<Duration> validity = text(n, "validity").map(v -> duration("validity", v));
        return new EnrollmentSettings(enabled, twin, tags, model, gateway, allocation, hubs, re, profile, validity);
    }

    public static AllocationPolicy allocationFrom(JsonNode n) {
        if (!n.isObject()) throw bad("allocation: an object with a type expected");
        String type = text(n, "type").orElse("hashed");
        return switch (type) {
            case "hashed" -> new AllocationPolicy.Hashed();
            case "geoLatency" -> new AllocationPolicy.LowestLatency();
            case "static" -> new AllocationPolicy.Static(text(n, "hub").orElse(null));
            case "custom" -> new AllocationPolicy.Cel(text(n, "expression").orElse(null));
            case "webhook" -> {
                URI url;
                try {
                    url = URI.create(text(n, "url").orElseThrow(() -> bad("allocation.url: required for a webhook")));
                } catch (IllegalArgumentException e) {
                    throw bad("allocation.url: not a URL");
                }
                yield new AllocationPolicy.Webhook(url, text(n, "timeout").map(t -> duration("allocation.timeout", t)).orElse(null),
                        text(n, "onFailure").map(AllocationPolicy.FailurePolicy::parse).orElse(null));
            }
            default -> throw bad("allocation.type: '" + Ids.excerpt(type) + "' (expected: hashed, geoLatency, static, custom or webhook)");
        };
    }

    public static EnrollmentAttestation attestationFrom(JsonNode n) {
        if (n == null || !n.isObject()) throw bad("attestation: an object with a type expected");
        String type = text(n, "type").orElse("");
        switch (type) {
            case "x509" -> {
                Optional<String> ca = text(n, "caName");
                Optional<String> thumb = text(n, "thumbprint");
                if (ca.isPresent() == thumb.isPresent()) throw bad("attestation: x509 takes either caName (groups) or thumbprint (individual)");
                return ca.isPresent() ? new EnrollmentAttestation.X509Ca(ca.get()) : new EnrollmentAttestation.X509Leaf(thumb.get());
            }
            case "tpm" -> {
                Bytes ek = b64("attestation.endorsementKey", text(n, "endorsementKey").orElseThrow(() -> bad("attestation.endorsementKey: required for tpm")));
                Optional<Bytes> cert = text(n, "ekCertificate").map(c -> b64("attestation.ekCertificate", c));
                return new EnrollmentAttestation.Tpm(ek, cert);
            }
            default -> throw bad("attestation.type: '" + Ids.excerpt(type) + "' (expected: x509 or tpm)");
        }
    }

    /** A group from a create request: {@code {"id", "attestation":{"type":"x509","caName"}, ...settings}}. */
    public static Enrollment.Group groupFrom(JsonNode n, Instant now) {
        EnrollmentAttestation a = attestationFrom(n.get("attestation"));
        if (!(a instanceof EnrollmentAttestation.X509Ca ca)) throw bad("attestation: an enrollment group takes {\"type\":\"x509\",\"caName\":...}");
        return new Enrollment.Group(text(n, "id").orElse(null), ca, settingsFrom(n), now, now, 1);
    }

    /**
     * An individual enrollment from a create request. For TPM the registration id may be omitted: it is
     * derived from the EK.
     */
    public static Enrollment.Individual individualFrom(JsonNode n, Instant now) {
        EnrollmentAttestation a = attestationFrom(n.get("attestation"));
        String id = text(n, "registrationId").orElse(null);
        if (id == null && a instanceof EnrollmentAttestation.Tpm tpm) id = EnrollmentAttestation.Tpm.registrationId(tpm.endorsementKey());
        if (id == null) throw bad("registrationId: required (the certificate CN)");
        return new Enrollment.Individual(id, a, text(n, "deviceId"), settingsFrom(n), now, now, 1);
    }

    private static JsonDocument doc(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) return JsonDocument.empty();
        if (!v.isObject()) throw bad(name + ": a JSON object expected");
        try {
            return JsonDocument.of((ObjectNode) v);
        } catch (RegistryRefusedException | IllegalArgumentException e) {
            throw bad(name + ": " + e.getMessage());
        }
    }

    private static boolean bool(JsonNode n, String name, boolean dflt) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw bad(name + ": true or false expected");
        return v.asBoolean();
    }

    static Optional<String> text(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual()) throw bad(name + ": a string expected");
        return Optional.of(v.asText());
    }

    private static Duration duration(String name, String v) {
        try {
            return Duration.parse(v);
        } catch (DateTimeParseException e) {
            throw bad(name + ": '" + Ids.excerpt(v) + "' (expected: an ISO-8601 duration like PT5S or P30D)");
        }
    }

    private static Bytes b64(String name, String v) {
        try {
            return Bytes.wrapOwned(Base64.getMimeDecoder().decode(v));
        } catch (IllegalArgumentException e) {
            throw bad(name + ": not Base64");
        }
    }

    private static ProvisioningRefusedException bad(String message) {
        return ProvisioningRefusal.invalidRequest(message).exception();
    }
}
