package dev.holdfast.registry;

import java.util.List;
import java.util.Optional;

/**
 * One page of devices in id order, and where the next page starts ({@code next}, empty on the last
 * page). Pass {@code next} as {@code after} to continue; pages stay consistent while devices are added
 * or removed (keyset paging, no offsets).
 */
public record DevicePage(List<Device> items, Optional<DeviceId> next) {
    public DevicePage {
        items = List.copyOf(items);
        next = next == null ? Optional.empty() : next;
    }
}
