package dev.holdfast.registry;

/**
 * A device's tags: a JSON object that operators and back-end services set to organise the fleet
 * ({@code {"site": "plant-3", "line": {"id": 4}}}); the device never sees them. {@code version} grows by
 * one with every change to the tags.
 */
public record DeviceTags(DeviceId deviceId, JsonDocument tags, long version) {
    public DeviceTags {
        if (deviceId == null || tags == null) throw new IllegalArgumentException("DeviceTags: deviceId and tags are required");
    }

    public Etag etag() {
        return Etag.tags(version);
    }
}
