package dev.holdfast.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.pki.Bytes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** The DPS wire bodies, shared by the HTTPS and MQTT transports. */
public final class DpsJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DpsJson() {
    }

    /** {@code {"operationId","status"[,"registrationState"]}}: the state only once assigned (or failed, with its error). */
    public static byte[] operation(RegistrationOperation op) {
        ObjectNode root = JSON.createObjectNode();
        root.put("operationId", op.operationId());
        root.put("status", op.status().wireName());
        op.state().ifPresent(s -> root.set("registrationState", state(s)));
        op.refusal().ifPresent(r -> {
            ObjectNode s = root.putObject("registrationState");
            s.put("registrationId", op.registrationId());
            s.put("status", RegistrationStatus.FAILED.wireName());
            s.put("errorCode", r.errorCode());
            s.put("errorMessage", r.message());
        });
        return bytes(root);
    }

    static ObjectNode state(RegistrationState s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("registrationId", s.registrationId());
        n.put("createdDateTimeUtc", time(s.createdAt()));
        n.put("assignedHub", s.assignedHub());
        n.put("deviceId", s.deviceId());
        n.put("status", s.status().wireName());
        n.put("substatus", s.substatus().wireName());
        n.put("lastUpdatedDateTimeUtc", time(s.updatedAt()));
        n.put("etag", s.etag());
        try {
            JsonNode payload = JSON.readTree(s.payload());
            if (payload != null && !payload.isEmpty()) n.set("payload", payload);
        } catch (IOException e) {
            throw new IllegalStateException("stored payload is not JSON", e);
        }
        ObjectNode x509 = n.putObject("x509");
        if (s.enrollment().startsWith("group:")) x509.put("enrollmentGroupId", s.enrollment().substring("group:".length()));
        else x509.put("enrollmentId", s.enrollment().substring(s.enrollment().indexOf(':') + 1));
        if (!s.issuedCertificateChain().isEmpty()) {
            ArrayNode chain = n.putArray("issuedCertificateChain");
            for (Bytes c : s.issuedCertificateChain()) chain.add(c.base64());
        }
        return n;
    }

    /** Azure's error body: {@code {"errorCode":int,"trackingId":"...","message":"...","info":{}}}. */
    public static byte[] error(ProvisioningRefusal refusal, String trackingId) {
        ObjectNode root = JSON.createObjectNode();
        root.put("errorCode", refusal.errorCode());
        root.put("trackingId", trackingId);
        root.put("message", refusal.message());
        root.putObject("info").put("code", refusal.code());
        return bytes(root);
    }

    /**
     * The 401 body of the TPM challenge (docs/provisioning-tpm.md): {@code {"challengeId","credentialBlob",
     * "encryptedSecret","tpm2ToolsCredential","nonce","expiresAtUtc","errorCode","trackingId","message"}},
     * binary members Base64. {@code credentialBlob} and {@code encryptedSecret} are the TPM2B_ID_OBJECT and
     * TPM2B_ENCRYPTED_SECRET contents without size; {@code tpm2ToolsCredential} is the same credential in the
     * file format {@code tpm2_activatecredential -i} reads.
     */
    public static byte[] tpmChallenge(TpmChallengeIssuedException issued, String trackingId) {
        var c = issued.challenge();
        ObjectNode root = JSON.createObjectNode();
        root.put("challengeId", c.id());
        root.put("credentialBlob", c.credentialBlob().base64());
        root.put("encryptedSecret", c.encryptedSecret().base64());
        root.put("tpm2ToolsCredential", java.util.Base64.getEncoder().encodeToString(c.tpm2ToolsCredentialFile()));
        root.put("nonce", c.nonce().base64());
        root.put("expiresAtUtc", time(c.expiresAt()));
        root.put("errorCode", issued.refusal().errorCode());
        root.put("trackingId", trackingId);
        root.put("message", issued.refusal().message());
        return bytes(root);
    }

    /** A new tracking id for one error answer (also logged and put in the event). */
    public static String newTrackingId() {
        return UUID.randomUUID().toString();
    }

    static String time(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t);
    }

    private static byte[] bytes(JsonNode n) {
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }
}
