package dev.holdfast.device.provisioning;

/**
 * Provisioning did not assign the device: the service refused ({@link #status()} is its HTTP or
 * MQTT status, {@link #errorCode()} its DPS error code when it sent one), the registration ended
 * {@code failed} or {@code disabled}, the reply was malformed, or the service did not finish in time.
 */
public final class ProvisioningException extends Exception {
    private final int status;
    private final long errorCode;

    public ProvisioningException(String message, int status, long errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    public ProvisioningException(String message, int status, long errorCode) {
        this(message, status, errorCode, null);
    }

    /** HTTP or MQTT status of the last reply, 0 when there was none. */
    public int status() {
        return status;
    }

    /** DPS error code ({@code errorCode} in the error body), 0 when absent. */
    public long errorCode() {
        return errorCode;
    }
}
