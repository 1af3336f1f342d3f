package dev.holdfast.provisioning;

import dev.holdfast.provisioning.tpm.TpmChallenge;

/**
 * The first step of Holdfast's TPM flow: the device presented an enrolled EK and an AK, and must now
 * activate this credential. Azure DPS answers its TPM step the same way, with 401 and a body the
 * device needs ({@code {"authenticationKey"}} there, {@link DpsJson#tpmChallenge} here); transports
 * that cannot carry the body (MQTT) answer it as the plain 401 refusal it extends.
 */
public final class TpmChallengeIssuedException extends ProvisioningRefusedException {
    private final transient TpmChallenge challenge;

    public TpmChallengeIssuedException(String registrationId, TpmChallenge challenge) {
        super(ProvisioningRefusal.unauthorized("tpm-challenge", "activate the TPM credential of challenge " + challenge.id() + " for '"
                + registrationId + "' and send the activation before " + challenge.expiresAt()), null);
        this.challenge = challenge;
    }

    public TpmChallenge challenge() {
        return challenge;
    }
}
