package dev.holdfast.provisioning.tpm;

import java.util.Objects;

/**
 * A TPM attestation refused, with a {@link Reason} the caller maps to its protocol's error and to a
 * security event, and a message safe to show the device (it names the rule, never a secret).
 */
public final class TpmAttestationException extends Exception {
    /** Why an attestation was refused. */
    public enum Reason {
        /** A TPM structure, certificate or CSR does not parse. */
        MALFORMED,
        /** The EK's type, size or attributes are not those of an endorsement key we accept. */
        EK_UNSUPPORTED,
        /** The EK certificate does not chain to a TPM manufacturer root (or none is configured). */
        EK_CERTIFICATE_UNTRUSTED,
        /** The EK certificate's public key is not the EK public key presented. */
        EK_MISMATCH,
        /** The attestation key is not a restricted signing key fixed to its TPM. */
        AK_ATTRIBUTES,
        /** The challenge is past its expiry time. */
        CHALLENGE_EXPIRED,
        /** The challenge was already used by a successful activation. */
        CHALLENGE_REPLAYED,
        /** The activated secret is not the one the credential protected: the AK is not in the EK's TPM. */
        WRONG_SECRET,
        /** The certification was not signed by the challenge's attestation key. */
        CERTIFY_SIGNATURE_INVALID,
        /** The certification's qualifying data is not the challenge nonce (stale or foreign). */
        NONCE_MISMATCH,
        /** The certification names another key than the one presented. */
        CERTIFIED_KEY_MISMATCH,
        /** The certified key may leave the TPM, was imported, or cannot sign. */
        KEY_ATTRIBUTES,
        /** The CSR is malformed, its self-signature fails, or its key is refused by the key policy. */
        CSR_INVALID,
        /** The CSR is for another key than the certified TPM key. */
        CSR_KEY_MISMATCH
    }

    private final Reason reason;

    public TpmAttestationException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public TpmAttestationException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
