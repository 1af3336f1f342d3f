package dev.holdfast.device.hub;

/** A telemetry message was dropped or refused because the offline buffer was full. */
public final class BufferOverflowException extends RuntimeException {
    public BufferOverflowException(String message) {
        super(message);
    }
}
