package dev.holdfast.registry;

/**
 * A device twin's properties (IoT Hub's model): {@code desired}, written by operators and back-end
 * services for the device to apply, and {@code reported}, written by the device. Each side has a
 * {@code $version} that grows by one with every change to it, and {@code metadata} records when each
 * property last changed:
 * <pre>{@code
 * {"desired":  {"$lastUpdated": "2026-11-30T10:00:00Z", "fw": {"$lastUpdated": "...", "$lastUpdatedVersion": 4}},
 *  "reported": {"$lastUpdated": "2026-11-30T10:01:00Z", "fw": {"$lastUpdated": "...",
 *               "version": {"$lastUpdated": "..."}}}}
 * }</pre>
 * An object's {@code $lastUpdated} is the latest change anywhere below it; a desired leaf also carries
 * the {@code $version} of the update that set it ({@code $lastUpdatedVersion}). {@code metadata} holds
 * this in the compact stored form of {@link TwinMetadata}; {@link TwinMetadata#expand} shows it.
 *
 * <p>The twin's {@link #etag()} follows the desired properties (see {@link Etag}).
 */
public record Twin(DeviceId deviceId, JsonDocument desired, long desiredVersion, JsonDocument reported, long reportedVersion,
                   JsonDocument metadata) {
    public Twin {
        if (deviceId == null || desired == null || reported == null || metadata == null) {
            throw new IllegalArgumentException("Twin: deviceId, desired, reported and metadata are required");
        }
        if (desiredVersion < 1 || reportedVersion < 1) {
            throw new IllegalArgumentException("Twin: versions " + desiredVersion + "/" + reportedVersion + " (expected: >= 1)");
        }
    }

    public Etag etag() {
        return Etag.desired(desiredVersion);
    }
}
