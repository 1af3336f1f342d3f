package dev.holdfast.pki;

/** Carries a {@link Refusal} across the call stack to the boundary that translates it. */
public final class RefusedException extends RuntimeException {
    private final Refusal refusal;

    public RefusedException(Refusal refusal, Throwable cause) {
        super(refusal.code() + ": " + refusal.publicMessage());
        if (cause != null) initCause(cause);
        this.refusal = refusal;
    }

    /** Attaches the internal cause (kept for logs, never shown to the caller) and returns this. */
    public RefusedException initCauseAndReturn(Throwable cause) {
        initCause(cause);
        return this;
    }

    public Refusal refusal() {
        return refusal;
    }
}
