package dev.holdfast.hub;

import dev.holdfast.pki.Bytes;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One device-to-cloud message as the hub accepted it.
 *
 * @param deviceId   the device that sent it (a gateway's child when the gateway acts for it)
 * @param moduleId   the module, for module telemetry
 * @param enqueuedAt when the hub accepted it
 * @param system     system properties without the {@code $.} prefix ({@code mid}, {@code cid}, {@code ct} ...)
 * @param properties application properties
 * @param will       true when this is the device's MQTT will, delivered because it went away abnormally
 */
public record TelemetryMessage(String deviceId, Optional<String> moduleId, Instant enqueuedAt, Map<String, String> system,
                               Map<String, String> properties, Bytes body, boolean will) {
    public TelemetryMessage {
        moduleId = moduleId == null ? Optional.empty() : moduleId;
        system = Map.copyOf(system);
        properties = Map.copyOf(properties);
        if (body == null) throw new IllegalArgumentException("body: null");
    }
}
