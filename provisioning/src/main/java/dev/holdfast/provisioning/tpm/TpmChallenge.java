package dev.holdfast.provisioning.tpm;

import dev.holdfast.pki.Bytes;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One credential-activation challenge, as {@link TpmAttestation#challenge} made it. The caller
 * stores the whole record (it holds no secret: only the secret's SHA-256) and sends the device
 * {@link #credentialBlob()}, {@link #encryptedSecret()} (or {@link #tpm2ToolsCredentialFile()})
 * and {@link #nonce()}; it hands the record back to {@link TpmAttestation#verify}.
 *
 * @param id                   random, 128 bits as hex: the key for one-time use
 * @param issuedAt             when it was made
 * @param expiresAt            after this, verify refuses it
 * @param ekPublic             the EK's TPM2B_PUBLIC (derived from the certificate when only that was given)
 * @param ekName               the EK's name (nameAlg || digest of its public area)
 * @param ekCertificateSha256  lowercase hex SHA-256 of the validated EK certificate, when one was given
 * @param akPublic             the AK's TPM2B_PUBLIC
 * @param akName               the AK's name, bound into the credential
 * @param credentialBlob       TPM2B_ID_OBJECT contents (no size prefix)
 * @param encryptedSecret      TPM2B_ENCRYPTED_SECRET contents (no size prefix)
 * @param secretSha256         SHA-256 of the protected secret; the secret itself is not kept
 * @param nonce                the qualifying data the device must pass to TPM2_Certify
 */
public record TpmChallenge(String id, Instant issuedAt, Instant expiresAt, Bytes ekPublic, Bytes ekName,
                           Optional<String> ekCertificateSha256, Bytes akPublic, Bytes akName,
                           Bytes credentialBlob, Bytes encryptedSecret, Bytes secretSha256, Bytes nonce) {
    public TpmChallenge {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(ekPublic, "ekPublic");
        Objects.requireNonNull(ekName, "ekName");
        ekCertificateSha256 = ekCertificateSha256 == null ? Optional.empty() : ekCertificateSha256;
        Objects.requireNonNull(akPublic, "akPublic");
        Objects.requireNonNull(akName, "akName");
        Objects.requireNonNull(credentialBlob, "credentialBlob");
        Objects.requireNonNull(encryptedSecret, "encryptedSecret");
        Objects.requireNonNull(secretSha256, "secretSha256");
        Objects.requireNonNull(nonce, "nonce");
        if (secretSha256.length() != 32) throw new IllegalArgumentException("secretSha256: " + secretSha256.length() + " bytes (expected 32)");
        if (!expiresAt.isAfter(issuedAt)) throw new IllegalArgumentException("expiresAt " + expiresAt + " (expected after issuedAt " + issuedAt + ")");
    }

    /** TPM2B_ID_OBJECT, size included. */
    public byte[] idObject() {
        return TpmStructures.encodeIdObject(credentialBlob.toArray());
    }

    /** TPM2B_ENCRYPTED_SECRET, size included. */
    public byte[] encryptedSecretTpm2b() {
        return TpmStructures.encodeEncryptedSecret(encryptedSecret.toArray());
    }

    /** What {@code tpm2_activatecredential -i} reads. */
    public byte[] tpm2ToolsCredentialFile() {
        return new MakeCredential.Result(credentialBlob, encryptedSecret).tpm2ToolsFile();
    }
}
