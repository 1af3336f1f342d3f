package dev.holdfast.registry;

/** Carries a {@link RegistryRefusal} to the boundary that translates it; the cause stays internal. */
public final class RegistryRefusedException extends RuntimeException {
    private final transient RegistryRefusal refusal;

    public RegistryRefusedException(RegistryRefusal refusal, Throwable internalCause) {
        super(refusal.code() + ": " + refusal.message(), internalCause);
        this.refusal = refusal;
    }

    public RegistryRefusal refusal() {
        return refusal;
    }
}
