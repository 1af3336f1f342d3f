package dev.holdfast.device.provisioning;

import dev.holdfast.device.Certificates;
import dev.holdfast.device.DeviceIdentity;
import dev.holdfast.device.DeviceKey;

import java.time.Duration;
import java.util.Optional;

/**
 * Registers a device with the provisioning service (DPS protocol, X.509 attestation, with the
 * {@code csr} extension). Blocking: call it from a virtual thread when provisioning many devices.
 */
public interface ProvisioningClient {
    /** Registers, polls until the operation finishes, and returns the final state (assigned or not). */
    RegistrationResult register(ProvisioningRequest request) throws ProvisioningException;

    /**
     * The whole onboarding step: a CSR for {@code operationalKey} with CN = the IDevID's CN, the
     * registration, and the operational identity built from the issued chain.
     */
    default Provisioned provision(String idScope, DeviceIdentity idevid, DeviceKey operationalKey, Optional<String> payloadJson)
            throws ProvisioningException {
        String registrationId = idevid.commonName();
        RegistrationResult r = register(new ProvisioningRequest(idScope, registrationId, idevid,
                Optional.of(Certificates.csr(operationalKey, registrationId)), payloadJson));
        if (!r.assigned()) throw new ProvisioningException("registration " + registrationId + " ended " + r.status() + " (" + r.substatus() + ")", 200, 0);
        if (r.issuedChain().isEmpty()) throw new ProvisioningException("registration " + registrationId + " was assigned without an issued certificate", 200, 0);
        try {
            return new Provisioned(r, new DeviceIdentity(operationalKey, r.issuedChain()));
        } catch (IllegalArgumentException e) {
            throw new ProvisioningException("the issued certificate of " + registrationId + " is not for the key in the CSR: " + e.getMessage(), 200, 0);
        }
    }

    /** A provisioned device: where it goes, who it is there, and the identity to connect with. */
    record Provisioned(RegistrationResult registration, DeviceIdentity operational) {
        public String hubHost() {
            return registration.assignedHub();
        }

        public String deviceId() {
            return registration.deviceId();
        }
    }

    /** How long to wait before polling: the service's Retry-After, within [min, max]; 2 s when absent. */
    static Duration pollDelay(Optional<Duration> retryAfter, Duration min, Duration max) {
        Duration d = retryAfter.orElse(Duration.ofSeconds(2));
        if (d.compareTo(min) < 0) return min;
        return d.compareTo(max) > 0 ? max : d;
    }
}
