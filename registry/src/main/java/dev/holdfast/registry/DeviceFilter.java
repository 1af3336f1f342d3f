package dev.holdfast.registry;

import java.util.Optional;

/**
 * Simple equality filters for listing devices; anything richer is a query (see
 * {@code dev.holdfast.registry.query.DeviceQueries}). Every field is optional; empty matches all.
 */
public record DeviceFilter(Optional<DeviceStatus> status, Optional<LifecycleState> lifecycle, Optional<String> hub,
                           Optional<String> model, Optional<DeviceId> parent) {
    public static final DeviceFilter ALL = new DeviceFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    public DeviceFilter {
        status = status == null ? Optional.empty() : status;
        lifecycle = lifecycle == null ? Optional.empty() : lifecycle;
        hub = hub == null ? Optional.empty() : hub;
        model = model == null ? Optional.empty() : model;
        parent = parent == null ? Optional.empty() : parent;
    }
}
