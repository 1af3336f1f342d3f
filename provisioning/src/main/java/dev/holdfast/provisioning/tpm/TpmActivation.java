package dev.holdfast.provisioning.tpm;

import dev.holdfast.pki.Bytes;

import java.util.Objects;

/**
 * The device's answer to a {@link TpmChallenge}, all untrusted bytes.
 *
 * @param activatedSecret  what TPM2_ActivateCredential returned ({@code tpm2_activatecredential -o})
 * @param keyPublic        TPM2B_PUBLIC of the TPM key that will hold the operational certificate
 * @param certifyInfo      TPMS_ATTEST from TPM2_Certify of that key by the AK, qualifying data = the nonce
 * @param certifySignature TPMT_SIGNATURE over certifyInfo by the AK
 * @param csr              DER PKCS#10 for the same key, signed by it in the TPM
 */
public record TpmActivation(Bytes activatedSecret, Bytes keyPublic, Bytes certifyInfo, Bytes certifySignature, Bytes csr) {
    public TpmActivation {
        Objects.requireNonNull(activatedSecret, "activatedSecret");
        Objects.requireNonNull(keyPublic, "keyPublic");
        Objects.requireNonNull(certifyInfo, "certifyInfo");
        Objects.requireNonNull(certifySignature, "certifySignature");
        Objects.requireNonNull(csr, "csr");
    }

    public static TpmActivation of(byte[] activatedSecret, byte[] keyPublic, byte[] certifyInfo, byte[] certifySignature, byte[] csr) {
        return new TpmActivation(Bytes.copyOf(activatedSecret), Bytes.copyOf(keyPublic), Bytes.copyOf(certifyInfo),
                Bytes.copyOf(certifySignature), Bytes.copyOf(csr));
    }
}
