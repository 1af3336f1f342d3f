package dev.holdfast.device.provisioning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.device.Certificates;
import dev.holdfast.device.MalformedMessageException;
import dev.holdfast.device.hub.PropertyBag;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The DPS wire format (docs/PROTOCOLS.md): the register body the device sends, and the operation
 * and error bodies and MQTT reply topics the service sends back, parsed as untrusted input.
 */
public final class DpsMessages {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Most certificates a chain may carry; real chains have three. */
    static final int MAX_CHAIN = 8;

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64)
                .maxStringLength(1024 * 1024).maxNumberLength(64).build());
    }

    private DpsMessages() {
    }

    /** The register body: {@code {"registrationId", "payload"?, "csr"?}}. */
    public static byte[] registerBody(ProvisioningRequest r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("registrationId", r.registrationId());
        if (r.payloadJson().isPresent()) {
            try {
                n.set("payload", JSON.readTree(r.payloadJson().get()));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("payloadJson: not JSON: " + e.getOriginalMessage(), e);
            }
        }
        r.csr().ifPresent(csr -> n.put("csr", Base64.getEncoder().encodeToString(csr)));
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An operation body: status {@code assigning} (poll again) or a final {@link RegistrationResult}. */
    public record Operation(String operationId, String status, Optional<RegistrationResult> result) {
        public boolean finished() {
            return !"assigning".equals(status) && !"unassigned".equals(status);
        }
    }

    /**
     * Parses a reply body. An error body ({@code {"errorCode", "message"}}) is returned as a
     * {@link ProvisioningException} inside the MalformedMessageException's place: callers check
     * {@link #error(byte[])} first.
     */
    public static Operation operation(byte[] body) throws MalformedMessageException {
        JsonNode n = object(body, "DPS operation");
        String operationId = text(n, "operationId").orElse("");
        String status = text(n, "status").orElseThrow(() -> new MalformedMessageException("DPS operation without 'status'"));
        JsonNode state = n.get("registrationState");
        if (state == null || state.isNull()) {
            if (!"assigning".equals(status) && !"unassigned".equals(status)) {
                throw new MalformedMessageException("DPS operation with status '" + cut(status) + "' has no registrationState");
            }
            if (operationId.isEmpty()) throw new MalformedMessageException("DPS operation in progress without 'operationId'");
            return new Operation(operationId, status, Optional.empty());
        }
        if (!state.isObject()) throw new MalformedMessageException("registrationState is " + state.getNodeType() + " (expected: an object)");
        return new Operation(operationId, status, Optional.of(registrationState(state)));
    }

    static RegistrationResult registrationState(JsonNode s) throws MalformedMessageException {
        String status = text(s, "status").orElseThrow(() -> new MalformedMessageException("registrationState without 'status'"));
        List<X509Certificate> chain = new ArrayList<>();
        JsonNode issued = s.get("issuedCertificateChain");
        if (issued != null && !issued.isNull()) {
            if (!issued.isArray()) throw new MalformedMessageException("issuedCertificateChain is " + issued.getNodeType() + " (expected: an array)");
            if (issued.size() > MAX_CHAIN) throw new MalformedMessageException("issuedCertificateChain has " + issued.size() + " entries (limit " + MAX_CHAIN + ")");
            for (int i = 0; i < issued.size(); i++) {
                JsonNode c = issued.get(i);
                if (!c.isTextual()) throw new MalformedMessageException("issuedCertificateChain[" + i + "] is not a string");
                try {
                    chain.add(Certificates.fromDer(Base64.getMimeDecoder().decode(c.asText())));
                } catch (IllegalArgumentException | CertificateException e) {
                    throw new MalformedMessageException("issuedCertificateChain[" + i + "] is not base64 DER X.509: " + e.getMessage());
                }
            }
        }
        JsonNode payload = s.get("payload");
        Optional<String> payloadJson = payload == null || payload.isNull() ? Optional.empty() : Optional.of(payload.toString());
        String assignedHub = text(s, "assignedHub").orElse("");
        String deviceId = text(s, "deviceId").orElse("");
        if ("assigned".equals(status) && (assignedHub.isEmpty() || deviceId.isEmpty())) {
            throw new MalformedMessageException("registrationState 'assigned' without assignedHub and deviceId");
        }
        return new RegistrationResult(text(s, "registrationId").orElse(""), status, text(s, "substatus").orElse(""), assignedHub,
                deviceId, chain, payloadJson, text(s, "etag"));
    }

    /** The error body's fields, when {@code body} is one: {@code {"errorCode":int, "message":"..."}}. */
    public record Error(long errorCode, String message, String trackingId) {
    }

    public static Optional<Error> error(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject() || !n.has("errorCode")) return Optional.empty();
            return Optional.of(new Error(n.path("errorCode").asLong(0), n.path("message").asText(""), n.path("trackingId").asText("")));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** A DPS MQTT reply topic: {@code $dps/registrations/res/{status}/?$rid={rid}[&retry-after={s}]}. */
    public record ReplyTopic(int status, String requestId, OptionalInt retryAfterSeconds) {
    }

    public static ReplyTopic replyTopic(String topic) throws MalformedMessageException {
        String prefix = "$dps/registrations/res/";
        if (!topic.startsWith(prefix)) throw new MalformedMessageException("not a DPS reply topic: " + cut(topic));
        String rest = topic.substring(prefix.length());
        int slash = rest.indexOf('/');
        String code = slash < 0 ? rest : rest.substring(0, slash);
        if (code.length() != 3 || !code.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MalformedMessageException("DPS reply status '" + cut(code) + "' is not three digits");
        }
        String q = slash < 0 ? "" : rest.substring(slash + 1);
        if (q.startsWith("?")) q = q.substring(1);
        Map<String, String> params = PropertyBag.decode(q);
        String rid = params.getOrDefault("$rid", "");
        OptionalInt retry = OptionalInt.empty();
        String ra = params.get("retry-after");
        if (ra != null) {
            try {
                int v = Integer.parseInt(ra);
                if (v < 0) throw new NumberFormatException();
                retry = OptionalInt.of(v);
            } catch (NumberFormatException e) {
                throw new MalformedMessageException("retry-after '" + cut(ra) + "' is not a non-negative integer");
            }
        }
        return new ReplyTopic(Integer.parseInt(code), rid, retry);
    }

    private static JsonNode object(byte[] body, String what) throws MalformedMessageException {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) throw new MalformedMessageException(what + " is not a JSON object");
            return n;
        } catch (JsonProcessingException e) {
            throw new MalformedMessageException(what + " is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new MalformedMessageException(what + " cannot be read: " + e.getMessage());
        }
    }

    private static Optional<String> text(JsonNode n, String field) throws MalformedMessageException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual()) throw new MalformedMessageException("'" + field + "' is " + v.getNodeType() + " (expected: a string)");
        return Optional.of(v.asText());
    }

    static String cut(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
