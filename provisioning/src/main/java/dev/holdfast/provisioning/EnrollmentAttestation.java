package dev.holdfast.provisioning;

import dev.holdfast.pki.Bytes;

import java.util.Optional;

/**
 * What an enrollment accepts as proof of identity. Groups take {@link X509Ca}; individual enrollments
 * take {@link X509Leaf} or {@link Tpm}.
 */
public sealed interface EnrollmentAttestation {

    /** {@code x509} or {@code tpm}. */
    String type();

    /**
     * Any certificate that chains to the verified manufacturer CA {@code caName} (a root or an
     * intermediate uploaded and verified as its own manufacturer CA); registration id = the leaf's CN.
     */
    record X509Ca(String caName) implements EnrollmentAttestation {
        public X509Ca {
            if (caName == null || caName.isBlank()) throw ProvisioningRefusal.invalidRequest("attestation.caName: required").exception();
        }
        public String type() { return "x509"; }
    }

    /**
     * Exactly one device certificate, by SHA-256 thumbprint (64 lower-case hex digits); it must still
     * chain to a verified manufacturer CA.
     */
    record X509Leaf(String thumbprint) implements EnrollmentAttestation {
        public X509Leaf {
            String t = thumbprint == null ? "" : thumbprint.replace(":", "").strip().toLowerCase(java.util.Locale.ROOT);
            if (!t.matches("[0-9a-f]{64}")) throw ProvisioningRefusal.invalidRequest("attestation.thumbprint: '" + thumbprint + "' (expected: 64 hex digits)").exception();
            thumbprint = t;
        }
        public String type() { return "x509"; }
    }

    /**
     * A TPM 2.0 endorsement key: its {@code TPM2B_PUBLIC} blob, and optionally the EK certificate
     * (validated against the TPM manufacturer roots by the TPM attestor). The registration id is
     * {@link #registrationId(Bytes)} of the blob.
     */
    record Tpm(Bytes endorsementKey, Optional<Bytes> ekCertificate) implements EnrollmentAttestation {
        public Tpm {
            if (endorsementKey == null || endorsementKey.length() < 4 || endorsementKey.length() > 4096) {
                throw ProvisioningRefusal.invalidRequest("attestation.endorsementKey: 4..4096 bytes of TPM2B_PUBLIC expected").exception();
            }
            ekCertificate = ekCertificate == null ? Optional.empty() : ekCertificate;
        }
        public String type() { return "tpm"; }

        /** Lower-case unpadded RFC 4648 Base32 of SHA-256 of the EK's TPM2B_PUBLIC, as Azure DPS derives it. */
        public static String registrationId(Bytes endorsementKey) {
            return Base32.lowerUnpadded(sha256(endorsementKey.toArray()));
        }

        private static byte[] sha256(byte[] b) {
            try {
                return java.security.MessageDigest.getInstance("SHA-256").digest(b);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
