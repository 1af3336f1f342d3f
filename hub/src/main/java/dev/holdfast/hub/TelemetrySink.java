package dev.holdfast.hub;

import java.util.concurrent.CompletionStage;

/**
 * Where accepted telemetry goes. The hub acknowledges a QoS 1 publish only when the stage completes
 * (durably accepted); a failed stage ends the session without PUBACK, so the device sends it again.
 * Implementations must not block the caller: it is a network thread.
 */
@FunctionalInterface
public interface TelemetrySink {
    CompletionStage<Void> accept(TelemetryMessage message);
}
