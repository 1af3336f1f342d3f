package dev.holdfast.provisioning.tpm;

import dev.holdfast.pki.Bytes;

import java.util.Objects;

/**
 * A parsed TPMS_ATTEST of type TPM_ST_ATTEST_CERTIFY (TPM 2.0 Part 2 §10.12.12, §10.12.3): what a
 * TPM signs with an attestation key when {@code TPM2_Certify} vouches that an object with
 * {@link #certifiedName()} is loaded in it. The magic (TPM_GENERATED_VALUE) was checked while
 * parsing: the TPM refuses to sign external data that starts with it, so a valid signature over
 * these bytes means the TPM produced them.
 *
 * @param qualifiedSigner        the qualified name of the signing key (the AK)
 * @param extraData              the caller's qualifying data, echoed (our challenge nonce)
 * @param clockInfo              the TPM's clock at signing time
 * @param firmwareVersion        vendor-specific firmware version
 * @param certifiedName          the name of the certified object
 * @param certifiedQualifiedName its qualified name (includes the names of its parents)
 * @param encoded                the exact signed bytes
 */
public record TpmAttest(Bytes qualifiedSigner, Bytes extraData, ClockInfo clockInfo, long firmwareVersion,
                        Bytes certifiedName, Bytes certifiedQualifiedName, Bytes encoded) {
    public static final long TPM_GENERATED_VALUE = 0xff544347L;
    public static final int TPM_ST_ATTEST_CERTIFY = 0x8017;

    public TpmAttest {
        Objects.requireNonNull(qualifiedSigner, "qualifiedSigner");
        Objects.requireNonNull(extraData, "extraData");
        Objects.requireNonNull(clockInfo, "clockInfo");
        Objects.requireNonNull(certifiedName, "certifiedName");
        Objects.requireNonNull(certifiedQualifiedName, "certifiedQualifiedName");
        Objects.requireNonNull(encoded, "encoded");
    }

    /** TPMS_CLOCK_INFO (Part 2 §10.11.1). {@code clock} in milliseconds; the counters are obfuscated for non-endorsement signers. */
    public record ClockInfo(long clock, long resetCount, long restartCount, boolean safe) {
    }
}
