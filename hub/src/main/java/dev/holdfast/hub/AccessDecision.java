package dev.holdfast.hub;

/**
 * What the access policy decides for an authenticated device at CONNECT (ARCHITECTURE.md, flow 3).
 * <ul>
 *   <li>{@link Allow}: the device's full namespace.</li>
 *   <li>{@link Quarantine}: only the update and reported-state topics: twin GET, reported PATCH and
 *       desired pushes; telemetry, cloud-to-device messages and direct methods are refused.</li>
 *   <li>{@link Refuse}: CONNACK not authorized.</li>
 * </ul>
 */
public sealed interface AccessDecision {
    record Allow() implements AccessDecision {
    }

    record Quarantine(String reason) implements AccessDecision {
    }

    record Refuse(String reason) implements AccessDecision {
    }

    AccessDecision ALLOW = new Allow();
}
