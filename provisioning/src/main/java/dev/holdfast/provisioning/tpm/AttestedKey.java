package dev.holdfast.provisioning.tpm;

import dev.holdfast.pki.Bytes;

import java.security.PublicKey;
import java.util.Objects;
import java.util.Optional;

/**
 * A key proven to live in the TPM whose EK the challenge named: the AK activated the credential
 * made for that EK, the AK certified this key with the challenge nonce, the key cannot leave the
 * TPM, and the CSR is for this key and signed by it. Issue the operational certificate from
 * {@link #csr()}; its key is {@link #publicKey()}.
 *
 * @param challengeId         the challenge this activation consumed
 * @param publicKey           the TPM key
 * @param keyPublic           its TPM public area
 * @param keyName             its TPM name
 * @param akName              the attestation key that certified it
 * @param ekName              the endorsement key the AK was bound to
 * @param ekCertificateSha256 the EK certificate's fingerprint, when one was validated
 * @param csr                 the validated CSR (DER)
 * @param csrCommonName       the CSR subject's CN, if any; the caller decides what to certify
 * @param firmwareVersion     from the certification, for posture
 */
public record AttestedKey(String challengeId, PublicKey publicKey, TpmPublic keyPublic, Bytes keyName, Bytes akName,
                          Bytes ekName, Optional<String> ekCertificateSha256, Bytes csr, Optional<String> csrCommonName,
                          long firmwareVersion) {
    public AttestedKey {
        Objects.requireNonNull(challengeId, "challengeId");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(keyPublic, "keyPublic");
        Objects.requireNonNull(keyName, "keyName");
        Objects.requireNonNull(akName, "akName");
        Objects.requireNonNull(ekName, "ekName");
        ekCertificateSha256 = ekCertificateSha256 == null ? Optional.empty() : ekCertificateSha256;
        Objects.requireNonNull(csr, "csr");
        csrCommonName = csrCommonName == null ? Optional.empty() : csrCommonName;
    }
}
