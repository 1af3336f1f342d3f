package dev.holdfast.provisioning;

import dev.holdfast.pki.Bytes;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of a successful registration, as DPS reports it in {@code registrationState}.
 *
 * @param enrollment             {@link Enrollment#reference()} of the enrollment that admitted the device
 * @param issuedCertificateChain our extension: the operational certificate and its issuers up to the root (DER), when a CSR was sent
 * @param payload                what the allocation returned for the device (webhook payload), {@code {}} otherwise
 */
public record RegistrationState(String registrationId, String deviceId, String assignedHub, RegistrationStatus status, Substatus substatus,
                                String enrollment, Instant createdAt, Instant updatedAt, long version, String payload,
                                List<Bytes> issuedCertificateChain) {
    public RegistrationState {
        issuedCertificateChain = List.copyOf(issuedCertificateChain == null ? List.of() : issuedCertificateChain);
        payload = payload == null ? "{}" : payload;
    }

    /** {@code "<version>"} as DPS etags look. */
    public String etag() {
        return "\"" + version + "\"";
    }
}
