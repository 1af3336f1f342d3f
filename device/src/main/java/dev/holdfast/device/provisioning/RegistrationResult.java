package dev.holdfast.device.provisioning;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * The final state of a registration (the {@code registrationState} of DPS).
 *
 * @param issuedChain our extension: the operational certificate issued for the CSR, leaf first, up
 *                    to the root; empty when no CSR was sent
 * @param payloadJson the allocation's custom payload returned to the device, as JSON text
 */
public record RegistrationResult(String registrationId, String status, String substatus, String assignedHub, String deviceId,
                                 List<X509Certificate> issuedChain, Optional<String> payloadJson, Optional<String> etag) {
    public RegistrationResult {
        issuedChain = List.copyOf(issuedChain);
    }

    public boolean assigned() {
        return "assigned".equals(status);
    }
}
