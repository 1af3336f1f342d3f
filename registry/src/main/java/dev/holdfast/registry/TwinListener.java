package dev.holdfast.registry;

/**
 * Told after a device's reported properties changed and were stored (posture re-evaluates the device).
 * Runs on the writer's thread: keep it short and hand real work to an executor. An exception is
 * logged and does not undo the change.
 */
@FunctionalInterface
public interface TwinListener {
    void reportedChanged(DeviceId id, Twin twin);
}
