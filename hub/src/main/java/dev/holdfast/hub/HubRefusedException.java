package dev.holdfast.hub;

/**
 * A request to the hub's API that breaks a rule: {@code code} is the stable machine-readable reason
 * ({@code device-offline}, {@code queue-full}, {@code method-timeout}, {@code too-large},
 * {@code not-found}), {@code status} the HTTP status the server answers with.
 */
public final class HubRefusedException extends RuntimeException {
    private final String code;
    private final int status;

    public HubRefusedException(String code, int status, String message) {
        super(message);
        this.code = code;
        this.status = status;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }
}
