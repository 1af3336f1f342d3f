package dev.holdfast.provisioning;

import java.time.Instant;

/**
 * An enrollment: who may register ({@link #attestation()}) and what they get ({@link #settings()}).
 * A group admits every device whose IDevID chains to a CA; an individual enrollment admits one device.
 */
public sealed interface Enrollment {
    EnrollmentAttestation attestation();

    EnrollmentSettings settings();

    Instant createdAt();

    Instant updatedAt();

    long version();

    /** {@code group:<id>} or {@code individual:<registrationId>}, as recorded on registrations and in events. */
    String reference();

    /** An X.509 enrollment group. */
    record Group(String id, EnrollmentAttestation.X509Ca attestation, EnrollmentSettings settings, Instant createdAt,
                 Instant updatedAt, long version) implements Enrollment {
        public Group {
            Ids.requireId("id", id);
            if (attestation == null || settings == null) throw ProvisioningRefusal.invalidRequest("attestation and settings: required").exception();
        }

        public String reference() {
            return "group:" + id;
        }
    }

    /**
     * One device by registration id (X.509: its certificate CN; TPM: derived from the EK).
     *
     * @param deviceId the registry id to give the device; the registration id when empty
     */
    record Individual(String registrationId, EnrollmentAttestation attestation, java.util.Optional<String> deviceId,
                      EnrollmentSettings settings, Instant createdAt, Instant updatedAt, long version) implements Enrollment {
        public Individual {
            Ids.requireRegistrationId(registrationId);
            if (attestation instanceof EnrollmentAttestation.X509Ca) {
                throw ProvisioningRefusal.invalidRequest("attestation: an individual enrollment takes an X.509 thumbprint or a TPM endorsement key, not a CA").exception();
            }
            if (attestation == null || settings == null) throw ProvisioningRefusal.invalidRequest("attestation and settings: required").exception();
            deviceId = deviceId == null ? java.util.Optional.empty() : deviceId;
            deviceId.ifPresent(d -> Ids.requireRegistrationId(d));
            if (attestation instanceof EnrollmentAttestation.Tpm tpm) {
                String derived = EnrollmentAttestation.Tpm.registrationId(tpm.endorsementKey());
                if (!derived.equals(registrationId)) {
                    throw ProvisioningRefusal.invalidRequest("registrationId: '" + registrationId + "' differs from the one the EK determines, '"
                            + derived + "' (Base32 of SHA-256 of TPM2B_PUBLIC)").exception();
                }
            }
        }

        public String reference() {
            return "individual:" + registrationId;
        }
    }
}
