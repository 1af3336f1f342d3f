package dev.holdfast.hub;

import dev.holdfast.pki.Bytes;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A cloud-to-device message in a device's durable queue.
 *
 * @param properties application properties, sent in the topic's property bag after the system ones
 * @param attempts   how many times it was sent to the device
 */
public record CloudToDeviceMessage(String id, String deviceId, Status status, Map<String, String> properties, Bytes body,
                                   Instant createdAt, Instant expiresAt, Optional<Instant> deliveredAt, Optional<Instant> completedAt,
                                   int attempts) {
    public enum Status {
        /** Queued, not sent on the device's current connection. */
        PENDING,
        /** Sent, waiting for the device's PUBACK; sent again on the next connection if none comes. */
        DELIVERED,
        /** The device acknowledged it. */
        COMPLETED,
        /** Its expiry passed before the device acknowledged it. */
        EXPIRED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public CloudToDeviceMessage {
        properties = Map.copyOf(properties);
        deliveredAt = deliveredAt == null ? Optional.empty() : deliveredAt;
        completedAt = completedAt == null ? Optional.empty() : completedAt;
    }
}
