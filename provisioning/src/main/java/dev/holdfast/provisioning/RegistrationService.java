package dev.holdfast.provisioning;

/**
 * The transport-neutral DPS registration logic: DPS over HTTPS and over MQTT both call it with what
 * they received and render what it returns (see {@code DpsJson} and {@link DpsMqttMessages}).
 *
 * <p>Every outcome is a security event ({@code provisioning.registration.*}); every refusal throws
 * {@link ProvisioningRefusedException} carrying an Azure-style error.
 */
public interface RegistrationService {

    /**
     * Registers a device: checks the id scope, rate limits, parses the body, attests the device, finds
     * its enrollment, allocates a hub, applies the re-provisioning policy, issues the operational
     * certificate for the CSR when there is one and writes the registry. Idempotent: the same request
     * from the same device while its operation is still fresh returns the same operation and issues
     * nothing new.
     *
     * @param source the peer address, for per-source rate limits and events
     * @return the operation, already decided; transports answer it first as {@code assigning}
     */
    RegistrationOperation register(String idScope, String registrationId, byte[] body, AttestationEvidence evidence, String source);

    /**
     * The operation {@code operationId} of {@code registrationId}, for the device that started it (the
     * same evidence).
     */
    RegistrationOperation operationStatus(String idScope, String registrationId, String operationId, AttestationEvidence evidence, String source);

    /** Seconds a device should wait before polling, as sent in {@code Retry-After} (the Azure SDK clamps it to 2..5). */
    int retryAfterSeconds();
}
