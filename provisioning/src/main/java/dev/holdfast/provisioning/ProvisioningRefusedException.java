package dev.holdfast.provisioning;

/** Carries a {@link ProvisioningRefusal} to the boundary that translates it. */
public class ProvisioningRefusedException extends RuntimeException {
    private final ProvisioningRefusal refusal;

    public ProvisioningRefusedException(ProvisioningRefusal refusal, Throwable cause) {
        super(refusal.code() + ": " + refusal.message(), cause);
        this.refusal = refusal;
    }

    public ProvisioningRefusal refusal() {
        return refusal;
    }
}
