package dev.holdfast.registry.internal;

import dev.holdfast.registry.Authentication;
import dev.holdfast.registry.Capabilities;
import dev.holdfast.registry.ConnectionState;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceStatus;
import dev.holdfast.registry.HealthSummary;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.Twin;

import java.time.Instant;
import java.util.Optional;

/** A device being changed: a mutable copy of a {@link Device}, turned back into one by {@link #build()}. */
final class DeviceDraft {
    DeviceId id;
    Optional<String> hub;
    DeviceStatus status;
    Optional<String> statusReason;
    LifecycleState lifecycle;
    Authentication authentication;
    Optional<DeviceId> parent;
    Optional<String> model;
    Capabilities capabilities;
    JsonDocument tags;
    long tagsVersion;
    JsonDocument desired;
    long desiredVersion;
    JsonDocument reported;
    long reportedVersion;
    JsonDocument metadata;
    ConnectionState connectionState;
    Optional<Instant> lastActivity;
    HealthSummary health;
    Instant createdAt;
    Instant updatedAt;
    long version;

    static DeviceDraft of(Device d) {
        DeviceDraft m = new DeviceDraft();
        m.id = d.id();
        m.hub = d.hub();
        m.status = d.status();
        m.statusReason = d.statusReason();
        m.lifecycle = d.lifecycle();
        m.authentication = d.authentication();
        m.parent = d.parent();
        m.model = d.model();
        m.capabilities = d.capabilities();
        m.tags = d.tags();
        m.tagsVersion = d.tagsVersion();
        Twin t = d.twin();
        m.desired = t.desired();
        m.desiredVersion = t.desiredVersion();
        m.reported = t.reported();
        m.reportedVersion = t.reportedVersion();
        m.metadata = t.metadata();
        m.connectionState = d.connectionState();
        m.lastActivity = d.lastActivity();
        m.health = d.health();
        m.createdAt = d.createdAt();
        m.updatedAt = d.updatedAt();
        m.version = d.version();
        return m;
    }

    Device build() {
        return new Device(id, hub, status, statusReason, lifecycle, authentication, parent, model, capabilities, tags, tagsVersion,
                new Twin(id, desired, desiredVersion, reported, reportedVersion, metadata), connectionState, lastActivity, health,
                createdAt, updatedAt, version);
    }
}
