package dev.holdfast.device.provisioning;

import dev.holdfast.device.DeviceIdentity;

import java.util.Optional;

/**
 * One registration: the device proves {@code onboarding} (its IDevID) in the TLS handshake and asks,
 * with the {@code csr} extension, for an operational certificate for the key in the CSR.
 *
 * @param idScope        the provisioning scope (the service's id scope)
 * @param registrationId the registration id: the IDevID's CN for X.509 attestation
 * @param onboarding     the factory identity presented to the service
 * @param csr            DER PKCS#10 with CN = registration id, or empty to receive no certificate
 * @param payloadJson    custom payload passed to allocation (a JSON value), or empty
 */
public record ProvisioningRequest(String idScope, String registrationId, DeviceIdentity onboarding, Optional<byte[]> csr,
                                  Optional<String> payloadJson) {
    public ProvisioningRequest {
        if (idScope == null || idScope.isBlank()) throw new IllegalArgumentException("idScope: blank");
        if (registrationId == null || !registrationId.matches("[a-z0-9A-Z._:-]{1,128}")) {
            throw new IllegalArgumentException("registrationId: '" + registrationId + "' (expected: 1..128 of letters, digits, '.', '_', ':', '-')");
        }
        if (onboarding == null) throw new IllegalArgumentException("onboarding: null (expected: the IDevID)");
        csr = csr.map(byte[]::clone);
    }
}
