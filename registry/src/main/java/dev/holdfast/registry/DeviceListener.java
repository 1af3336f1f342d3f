package dev.holdfast.registry;

import java.util.Optional;

/**
 * Told synchronously, in the writing thread, right after a change to a device's identity (status,
 * lifecycle, authentication, parent, capabilities) or twin is stored, or after the device is deleted.
 * The hub uses it to end the live session of a device that was disabled, decommissioned or re-bound
 * within a second, and to push desired-property changes to connected devices. Listeners must return
 * quickly and must not throw (a throwing listener is logged and skipped). Tag and health changes are
 * not reported here; bulk imports are not either (yet).
 */
@FunctionalInterface
public interface DeviceListener {
    /** @param after the device as stored now; empty when it was deleted */
    void changed(Device before, Optional<Device> after);
}
