package dev.holdfast.provisioning;

import java.util.Optional;

/**
 * One registration attempt as the device sees it: {@code {"operationId","status","registrationState"}}.
 * The registration logic decides synchronously; the first answer says {@code assigning} (HTTP 202) as
 * the DPS protocol expects, and polling the operation returns the final state.
 *
 * @param state   the outcome, once {@code status} is {@code assigned}
 * @param refusal why it failed, when {@code status} is {@code failed}
 */
public record RegistrationOperation(String operationId, String registrationId, RegistrationStatus status, Optional<RegistrationState> state,
                                    Optional<ProvisioningRefusal> refusal) {
    public RegistrationOperation {
        state = state == null ? Optional.empty() : state;
        refusal = refusal == null ? Optional.empty() : refusal;
    }

    /** The same operation as it is reported while assigning (the first answer). */
    public RegistrationOperation asAssigning() {
        return new RegistrationOperation(operationId, registrationId, RegistrationStatus.ASSIGNING, Optional.empty(), Optional.empty());
    }
}
