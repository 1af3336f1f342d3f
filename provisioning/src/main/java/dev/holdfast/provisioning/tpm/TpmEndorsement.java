package dev.holdfast.provisioning.tpm;

import dev.holdfast.pki.Bytes;

import java.util.List;
import java.util.Optional;

/**
 * What a device presents about its endorsement key: the EK public area (TPM2B_PUBLIC, as
 * {@code tpm2_createek -u} writes it), its EK certificate (DER, as read from the TPM's NV index
 * 0x01c00002 or 0x01c0000a), or both. With only a certificate, the EK is taken to follow the
 * default template of the TCG EK Credential Profile (RSA 2048 or ECC P-256, AES-128-CFB, SHA-256).
 *
 * @param ekPublic      TPM2B_PUBLIC of the EK
 * @param ekCertificate DER X.509 EK certificate
 * @param ekChain       DER intermediates the device sent with its EK certificate (may be empty)
 */
public record TpmEndorsement(Optional<Bytes> ekPublic, Optional<Bytes> ekCertificate, List<Bytes> ekChain) {
    public TpmEndorsement {
        ekPublic = ekPublic == null ? Optional.empty() : ekPublic;
        ekCertificate = ekCertificate == null ? Optional.empty() : ekCertificate;
        ekChain = ekChain == null ? List.of() : List.copyOf(ekChain);
        if (ekPublic.isEmpty() && ekCertificate.isEmpty()) {
            throw new IllegalArgumentException("TpmEndorsement: ekPublic and ekCertificate are both empty (expected at least one)");
        }
    }

    public static TpmEndorsement ofPublic(byte[] tpm2bPublic) {
        return new TpmEndorsement(Optional.of(Bytes.copyOf(tpm2bPublic)), Optional.empty(), List.of());
    }

    public static TpmEndorsement ofCertificate(byte[] der) {
        return new TpmEndorsement(Optional.empty(), Optional.of(Bytes.copyOf(der)), List.of());
    }

    public static TpmEndorsement of(byte[] tpm2bPublic, byte[] certificateDer) {
        return new TpmEndorsement(Optional.of(Bytes.copyOf(tpm2bPublic)), Optional.of(Bytes.copyOf(certificateDer)), List.of());
    }
}
