package dev.holdfast.registry;

import java.time.Instant;
import java.util.Optional;

/**
 * One device as the registry knows it: its identity and how it authenticates, its place in the fleet
 * (hub, parent gateway, model, tags), its twin, what the hub last saw of it and what posture last
 * concluded. See {@code docs/registry.md} for every field.
 *
 * @param hub             the host name of the hub the device is assigned to; empty until provisioned
 * @param statusReason    why the device was enabled or disabled, as the operator said
 * @param parent          the gateway this device reaches the hub through, if any
 * @param model           the id of its {@link DeviceModel}, if known
 * @param tagsVersion     grows by one with every change to the tags
 * @param lastActivity    the last time the hub heard from the device
 * @param version         grows by one with every change to the device (tags and twin included)
 */
public record Device(DeviceId id, Optional<String> hub, DeviceStatus status, Optional<String> statusReason, LifecycleState lifecycle,
                     Authentication authentication, Optional<DeviceId> parent, Optional<String> model, Capabilities capabilities,
                     JsonDocument tags, long tagsVersion, Twin twin, ConnectionState connectionState, Optional<Instant> lastActivity,
                     HealthSummary health, Instant createdAt, Instant updatedAt, long version) {
    public Device {
        if (id == null || status == null || lifecycle == null || authentication == null || capabilities == null || tags == null
                || twin == null || connectionState == null || health == null || createdAt == null || updatedAt == null) {
            throw new IllegalArgumentException("Device: only hub, statusReason, parent, model and lastActivity may be empty");
        }
        hub = hub == null ? Optional.empty() : hub;
        statusReason = statusReason == null ? Optional.empty() : statusReason;
        parent = parent == null ? Optional.empty() : parent;
        model = model == null ? Optional.empty() : model;
        lastActivity = lastActivity == null ? Optional.empty() : lastActivity;
    }

    public Etag etag() {
        return Etag.device(version);
    }

    public DeviceTags deviceTags() {
        return new DeviceTags(id, tags, tagsVersion);
    }
}
