package dev.holdfast.provisioning.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.pki.Bytes;
import dev.holdfast.provisioning.Enrollment;
import dev.holdfast.provisioning.EnrollmentAttestation;
import dev.holdfast.provisioning.ProvisioningRefusal;
import dev.holdfast.provisioning.TpmChallengeIssuedException;
import dev.holdfast.provisioning.tpm.AttestedKey;
import dev.holdfast.provisioning.tpm.TpmActivation;
import dev.holdfast.provisioning.tpm.TpmAttestation;
import dev.holdfast.provisioning.tpm.TpmAttestationException;
import dev.holdfast.provisioning.tpm.TpmChallenge;
import dev.holdfast.provisioning.tpm.TpmEndorsement;
import dev.holdfast.provisioning.tpm.TpmStructures;
import dev.holdfast.pki.MalformedInputException;

import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The service side of Holdfast's TPM-bound X.509 flow over the DPS registration body: the
 * {@code tpm} member's two shapes (challenge request, activation), the stored challenges, and the
 * mapping of {@link TpmAttestationException.Reason} to provisioning refusals.
 *
 * <pre>
 * 1st PUT  "tpm": {"endorsementKey": b64 TPM2B_PUBLIC, "ekCertificate": b64 DER (optional), "attestationKey": b64 TPM2B_PUBLIC}
 * 2nd PUT  "tpm": {... the same ..., "challengeId": "...", "activatedSecret": b64, "keyPublic": b64 TPM2B_PUBLIC,
 *                  "certifyInfo": b64 TPMS_ATTEST, "certifySignature": b64 TPMT_SIGNATURE}, "csr": b64 DER PKCS#10
 * </pre>
 */
final class TpmAttestor {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_FIELD_BYTES = 8192;

    private final TpmAttestation attestation;
    private final JdbcProvisioningStore store;

    TpmAttestor(TpmAttestation attestation, JdbcProvisioningStore store) {
        this.attestation = attestation;
        this.store = store;
    }

    /** The parsed {@code tpm} member; activation fields are all present or all absent. */
    record Member(Optional<Bytes> endorsementKey, Optional<Bytes> ekCertificate, Bytes attestationKey, Optional<String> challengeId,
                  Optional<TpmActivationParts> activation) {
        TpmEndorsement endorsement() {
            return new TpmEndorsement(endorsementKey, ekCertificate, List.of());
        }
    }

    record TpmActivationParts(Bytes activatedSecret, Bytes keyPublic, Bytes certifyInfo, Bytes certifySignature) {
    }

    static Member parse(String json) {
        JsonNode t;
        try {
            t = JSON.readTree(json);
        } catch (IOException e) {
            throw malformed("the tpm member is not JSON");
        }
        Optional<Bytes> ek = b64(t, "endorsementKey");
        Optional<Bytes> ekCert = b64(t, "ekCertificate");
        if (ek.isEmpty() && ekCert.isEmpty()) throw malformed("tpm.endorsementKey (Base64 TPM2B_PUBLIC) or tpm.ekCertificate (Base64 DER) is required");
        Bytes ak = b64(t, "attestationKey").orElseThrow(() -> malformed("tpm.attestationKey (Base64 TPM2B_PUBLIC of the AK) is required"));
        Optional<String> challengeId = Optional.empty();
        JsonNode c = t.get("challengeId");
        if (c != null && !c.isNull()) {
            if (!c.isTextual() || !c.asText().matches("[0-9a-f]{32}")) throw malformed("tpm.challengeId must be the 32 hex digits the challenge named");
            challengeId = Optional.of(c.asText());
        }
        List<String> parts = List.of("activatedSecret", "keyPublic", "certifyInfo", "certifySignature");
        List<Optional<Bytes>> values = parts.stream().map(p -> b64(t, p)).toList();
        long present = values.stream().filter(Optional::isPresent).count();
        Optional<TpmActivationParts> activation = Optional.empty();
        if (present > 0 || challengeId.isPresent()) {
            if (present < parts.size() || challengeId.isEmpty()) {
                throw malformed("an activation needs all of tpm.challengeId, tpm.activatedSecret, tpm.keyPublic, tpm.certifyInfo and tpm.certifySignature");
            }
            activation = Optional.of(new TpmActivationParts(values.get(0).get(), values.get(1).get(), values.get(2).get(), values.get(3).get()));
        }
        return new Member(ek, ekCert, ak, challengeId, activation);
    }

    /**
     * Step 1: the enrollment's EK must be the one presented; then a challenge is made, stored and
     * thrown to the transport as {@link TpmChallengeIssuedException}.
     */
    TpmChallengeIssuedException challenge(String registrationId, Enrollment.Individual enrollment, Member m, Instant now) {
        TpmChallenge c;
        try {
            c = attestation.challenge(m.endorsement(), m.attestationKey().toArray());
        } catch (TpmAttestationException e) {
            throw refusal(registrationId, e).exception(e);
        }
        requireEnrolledEk(registrationId, enrollment, c.ekName());
        store.putTpmChallenge(c.id(), registrationId, encode(c), now, c.expiresAt());
        return new TpmChallengeIssuedException(registrationId, c);
    }

    /** Step 2: the stored challenge, the device's answer, then the ledger (a single-row DELETE). */
    AttestedKey verify(String registrationId, Enrollment.Individual enrollment, Member m, Bytes csr) {
        String id = m.challengeId().orElseThrow();
        TpmChallenge c = store.tpmChallenge(id, registrationId).map(TpmAttestor::decode)
                .orElseThrow(() -> ProvisioningRefusal.unauthorized("tpm-challenge-unknown", "no open TPM challenge '" + id + "' for '" + registrationId
                        + "': a challenge answers one activation (this one may be replayed), expires, or was never made; start again with the "
                        + "endorsement and attestation keys").exception());
        requireEnrolledEk(registrationId, enrollment, c.ekName());
        if (!c.akPublic().equals(m.attestationKey())) {
            throw ProvisioningRefusal.unauthorized("tpm-ak-mismatch", "the attestation key presented is not the one challenge '" + id + "' was made for").exception();
        }
        TpmActivationParts a = m.activation().orElseThrow();
        try {
            return attestation.verify(c, new TpmActivation(a.activatedSecret(), a.keyPublic(), a.certifyInfo(), a.certifySignature(), csr),
                    (challengeId, expiresAt) -> store.consumeTpmChallenge(challengeId));
        } catch (TpmAttestationException e) {
            throw refusal(registrationId, e).exception(e);
        }
    }

    /** Compared by TPM name (nameAlg || digest of the public area), which does not depend on how the blob was encoded. */
    private static void requireEnrolledEk(String registrationId, Enrollment.Individual enrollment, Bytes ekName) {
        EnrollmentAttestation.Tpm tpm = (EnrollmentAttestation.Tpm) enrollment.attestation();
        Bytes enrolled;
        try {
            enrolled = TpmStructures.parsePublic(tpm.endorsementKey().toArray()).name();
        } catch (MalformedInputException e) {
            throw ProvisioningRefusal.unauthorized("tpm-ek-mismatch", "individual enrollment " + enrollment.reference()
                    + " holds an endorsement key that is not a TPM2B_PUBLIC: " + e.reason()).exception(e);
        }
        if (!enrolled.equals(ekName)) {
            throw ProvisioningRefusal.unauthorized("tpm-ek-mismatch", "the endorsement key presented for '" + registrationId
                    + "' is not the one individual enrollment " + enrollment.reference() + " names").exception();
        }
    }

    /** One refusal per reason: code {@code tpm-<reason>}, 400 for malformed structures, 401 otherwise. */
    static ProvisioningRefusal refusal(String registrationId, TpmAttestationException e) {
        String code = "tpm-" + e.reason().name().toLowerCase(Locale.ROOT).replace('_', '-');
        String message = "TPM attestation of '" + registrationId + "' refused (" + e.reason() + "): " + e.getMessage();
        return e.reason() == TpmAttestationException.Reason.MALFORMED ? ProvisioningRefusal.malformed(code, message)
                : ProvisioningRefusal.unauthorized(code, message);
    }

    // ---- stored challenges: the whole record as JSON, binary members Base64

    static String encode(TpmChallenge c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", c.id());
        // ISO-8601, not epoch milliseconds: the record must come back exactly as TpmAttestation made it.
        n.put("issuedAt", c.issuedAt().toString());
        n.put("expiresAt", c.expiresAt().toString());
        n.put("ekPublic", c.ekPublic().base64());
        n.put("ekName", c.ekName().base64());
        c.ekCertificateSha256().ifPresent(s -> n.put("ekCertificateSha256", s));
        n.put("akPublic", c.akPublic().base64());
        n.put("akName", c.akName().base64());
        n.put("credentialBlob", c.credentialBlob().base64());
        n.put("encryptedSecret", c.encryptedSecret().base64());
        n.put("secretSha256", c.secretSha256().base64());
        n.put("nonce", c.nonce().base64());
        return n.toString();
    }

    static TpmChallenge decode(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return new TpmChallenge(n.get("id").asText(), Instant.parse(n.get("issuedAt").asText()), Instant.parse(n.get("expiresAt").asText()),
                    bytes(n, "ekPublic"), bytes(n, "ekName"), Optional.ofNullable(n.get("ekCertificateSha256")).map(JsonNode::asText),
                    bytes(n, "akPublic"), bytes(n, "akName"), bytes(n, "credentialBlob"), bytes(n, "encryptedSecret"),
                    bytes(n, "secretSha256"), bytes(n, "nonce"));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("stored TPM challenge does not parse", e);
        }
    }

    private static Bytes bytes(JsonNode n, String field) {
        return Bytes.wrapOwned(Base64.getDecoder().decode(n.get(field).asText()));
    }

    private static Optional<Bytes> b64(JsonNode t, String field) {
        JsonNode v = t.get(field);
        if (v == null || v.isNull()) return Optional.empty();
        if (!v.isTextual()) throw malformed("tpm." + field + " must be a Base64 string");
        byte[] b;
        try {
            b = Base64.getMimeDecoder().decode(v.asText());
        } catch (IllegalArgumentException e) {
            throw malformed("tpm." + field + " is not Base64");
        }
        if (b.length == 0 || b.length > MAX_FIELD_BYTES) throw malformed("tpm." + field + " has " + b.length + " bytes (expected 1.." + MAX_FIELD_BYTES + ")");
        return Optional.of(Bytes.wrapOwned(b));
    }

    private static dev.holdfast.provisioning.ProvisioningRefusedException malformed(String message) {
        return ProvisioningRefusal.malformed("malformed-tpm", message).exception();
    }
}
