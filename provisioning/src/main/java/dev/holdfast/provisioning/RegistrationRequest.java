package dev.holdfast.provisioning;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.MalformedInputException;

import java.io.IOException;
import java.util.Base64;
import java.util.Optional;

/**
 * A DPS registration body, parsed from untrusted bytes:
 * {@code {"registrationId":"...","payload":{...}|"{...}","csr":"<base64 DER PKCS#10>","tpm":{...}}}.
 * Unknown members are ignored (SDKs add their own); {@code payload} may be an object or a string
 * holding JSON (PROTOCOLS.md); an empty body means an empty request.
 *
 * @param registrationId the id the body names, when it names one
 * @param payload        the device's custom payload, a JSON object (empty object when absent)
 * @param csr            our extension: a PKCS#10 request for the operational certificate
 * @param tpm            the TPM member as JSON text, for the TPM attestor
 */
public record RegistrationRequest(Optional<String> registrationId, ObjectNode payload, Optional<Bytes> csr, Optional<String> tpm) {
    /** Bodies larger than this are refused before parsing. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(MAX_BODY_BYTES).build());
    }

    public RegistrationRequest {
        registrationId = registrationId == null ? Optional.empty() : registrationId;
        payload = payload == null ? JSON.createObjectNode() : payload;
        csr = csr == null ? Optional.empty() : csr;
        tpm = tpm == null ? Optional.empty() : tpm;
    }

    /** Parses a registration body; never throws anything but {@link MalformedInputException}. */
    public static RegistrationRequest parse(byte[] body) throws MalformedInputException {
        if (body == null || body.length == 0) return new RegistrationRequest(Optional.empty(), null, Optional.empty(), Optional.empty());
        if (body.length > MAX_BODY_BYTES) {
            throw new MalformedInputException(MAX_BODY_BYTES, "registration body of " + body.length + " bytes exceeds the limit of " + MAX_BODY_BYTES);
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException | RuntimeException e) {
            throw new MalformedInputException(0, "registration body is not JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new RegistrationRequest(Optional.empty(), null, Optional.empty(), Optional.empty());
        }
        if (!root.isObject()) throw new MalformedInputException(0, "registration body must be a JSON object, not " + root.getNodeType());
        Optional<String> id = Optional.empty();
        JsonNode idNode = root.get("registrationId");
        if (idNode != null && !idNode.isNull()) {
            if (!idNode.isTextual()) throw new MalformedInputException(0, "registrationId must be a string");
            if (!Ids.isRegistrationId(idNode.asText())) {
                throw new MalformedInputException(0, "registrationId '" + Ids.excerpt(idNode.asText()) + "' is not 1..128 letters, digits, '.', '_', ':' or '-'");
            }
            id = Optional.of(idNode.asText());
        }
        ObjectNode payload = null;
        JsonNode p = root.get("payload");
        if (p != null && !p.isNull()) {
            if (p.isObject()) {
                payload = (ObjectNode) p;
            } else if (p.isTextual()) {
                JsonNode inner;
                try {
                    inner = p.asText().isBlank() ? JSON.createObjectNode() : JSON.readTree(p.asText());
                } catch (IOException | RuntimeException e) {
                    throw new MalformedInputException(0, "payload is a string but not JSON: " + firstLine(e.getMessage()));
                }
                if (inner == null || !inner.isObject()) throw new MalformedInputException(0, "payload must be a JSON object (or a string holding one)");
                payload = (ObjectNode) inner;
            } else {
                throw new MalformedInputException(0, "payload must be a JSON object (or a string holding one), not " + p.getNodeType());
            }
        }
        Optional<Bytes> csr = Optional.empty();
        JsonNode c = root.get("csr");
        if (c != null && !c.isNull()) {
            if (!c.isTextual()) throw new MalformedInputException(0, "csr must be a string of Base64 DER (PKCS#10)");
            try {
                byte[] der = Base64.getMimeDecoder().decode(c.asText());
                if (der.length == 0) throw new MalformedInputException(0, "csr is empty");
                csr = Optional.of(Bytes.wrapOwned(der));
            } catch (IllegalArgumentException e) {
                throw new MalformedInputException(0, "csr is not Base64: " + firstLine(e.getMessage()));
            }
        }
        Optional<String> tpm = Optional.empty();
        JsonNode t = root.get("tpm");
        if (t != null && !t.isNull()) {
            if (!t.isObject()) throw new MalformedInputException(0, "tpm must be a JSON object");
            tpm = Optional.of(t.toString());
        }
        return new RegistrationRequest(id, payload, csr, tpm);
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
