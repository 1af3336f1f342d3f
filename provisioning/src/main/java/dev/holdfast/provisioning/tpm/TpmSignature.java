package dev.holdfast.provisioning.tpm;

import dev.holdfast.pki.Bytes;

import java.util.Objects;

/**
 * A parsed TPMT_SIGNATURE (TPM 2.0 Part 2 §11.3.4) of one of the schemes attestation keys use.
 * Verification lives in {@link TpmStructures#verify}, which checks the scheme against the key.
 */
public sealed interface TpmSignature permits TpmSignature.RsaSsa, TpmSignature.RsaPss, TpmSignature.Ecdsa {
    int TPM_ALG_RSASSA = 0x0014;
    int TPM_ALG_RSAPSS = 0x0016;
    int TPM_ALG_ECDSA = 0x0018;

    TpmHash hash();

    /** RSASSA-PKCS1-v1_5 (RFC 8017 §8.2). */
    record RsaSsa(TpmHash hash, Bytes signature) implements TpmSignature {
        public RsaSsa {
            Objects.requireNonNull(hash, "hash");
            Objects.requireNonNull(signature, "signature");
        }
    }

    /** RSASSA-PSS (RFC 8017 §8.1). */
    record RsaPss(TpmHash hash, Bytes signature) implements TpmSignature {
        public RsaPss {
            Objects.requireNonNull(hash, "hash");
            Objects.requireNonNull(signature, "signature");
        }
    }

    /** ECDSA with r and s as the TPM gives them: unsigned big-endian. */
    record Ecdsa(TpmHash hash, Bytes r, Bytes s) implements TpmSignature {
        public Ecdsa {
            Objects.requireNonNull(hash, "hash");
            Objects.requireNonNull(r, "r");
            Objects.requireNonNull(s, "s");
        }
    }
}
