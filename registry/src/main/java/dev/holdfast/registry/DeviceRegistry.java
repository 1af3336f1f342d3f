package dev.holdfast.registry;

import java.time.Instant;
import java.util.Optional;

/**
 * The device registry: the single source of truth for every device's identity, lifecycle and state.
 *
 * <p><b>Concurrency.</b> Every write is optimistic: it reads the device, decides, and writes only if
 * the device has not changed meanwhile, retrying otherwise, so no write is ever lost. A write with a
 * {@link Precondition} is refused with {@link RegistryRefusal.PreconditionFailed} (HTTP 412) when the
 * resource's current {@link Etag} does not match; the caller re-reads and tries again.
 *
 * <p><b>Refusals.</b> Bad input and broken rules throw {@link RegistryRefusedException}: unknown device
 * ({@code device-not-found}), an id taken ({@code device-exists}), a lifecycle move outside the matrix
 * of {@link LifecycleState} ({@code invalid-transition}), documents over the {@link RegistryLimits}, a
 * parent that is not a gateway, a model that does not exist.
 *
 * <p><b>Events.</b> Every change that matters to security emits a security event after it is stored:
 * {@code device.created}, {@code device.enabled}, {@code device.disabled},
 * {@code device.lifecycle.changed}, {@code device.authentication.changed}, {@code device.parent.changed},
 * {@code device.deleted}. {@code actor} names who asked ({@code token:<id>}, an operator, {@code system}).
 */
public interface DeviceRegistry {

    Device create(NewDevice device, String actor);

    Optional<Device> find(DeviceId id);

    /** The device, or a {@code device-not-found} refusal (404). */
    default Device get(DeviceId id) {
        return find(id).orElseThrow(() -> notFound(id).exception());
    }

    /** Devices in id order after {@code after}, at most {@code limit} (1..1000). */
    DevicePage list(DeviceFilter filter, Optional<DeviceId> after, int limit);

    /** Applies {@code update} under {@code condition} (on the device's {@link Device#etag()}). */
    Device update(DeviceId id, DeviceUpdate update, Precondition condition, String actor);

    default Device setStatus(DeviceId id, DeviceStatus status, Optional<String> reason, String actor) {
        return update(id, DeviceUpdate.builder().status(status).statusReason(reason.orElse(null)).build(), Precondition.none(), actor);
    }

    default Device setLifecycle(DeviceId id, LifecycleState state, Optional<String> reason, String actor) {
        return update(id, DeviceUpdate.builder().lifecycle(state).reason(reason.orElse(null)).build(), Precondition.none(), actor);
    }

    /** Removes the device and its twin; refused while other devices have it as their parent. */
    void delete(DeviceId id, Precondition condition, String actor);

    default DeviceTags tags(DeviceId id) {
        return get(id).deviceTags();
    }

    /** Replaces the tags (condition on {@link DeviceTags#etag()}). */
    DeviceTags replaceTags(DeviceId id, JsonDocument tags, Precondition condition, String actor);

    /** Merges {@code patch} into the tags as a JSON merge patch (RFC 7386: null removes a member). */
    DeviceTags mergeTags(DeviceId id, JsonDocument patch, Precondition condition, String actor);

    default Twin twin(DeviceId id) {
        return get(id).twin();
    }

    /**
     * Merges {@code patch} into the desired properties (RFC 7386), raises desired {@code $version} by
     * one and records when each touched property changed. Condition on {@link Twin#etag()}.
     */
    Twin patchDesired(DeviceId id, JsonDocument patch, Precondition condition, String actor);

    /** The device's own report: merged into the reported properties like {@link #patchDesired}. */
    Twin patchReported(DeviceId id, JsonDocument patch);

    /** What the hub saw: a session opened or closed at {@code at} (also the last activity). */
    void recordConnection(DeviceId id, ConnectionState state, Instant at);

    /** The hub heard from the device at {@code at}; an earlier time than the one stored is ignored. */
    void recordActivity(DeviceId id, Instant at);

    /**
     * The TLS version and cipher suite of the device's latest hub session (replaces the previous
     * record; does not change the device's version or ETag).
     */
    void recordTls(DeviceId id, TlsParameters tls);

    /** What {@link #recordTls} last stored for the device. */
    Optional<TlsParameters> lastTls(DeviceId id);

    /** Registers a listener for identity changes and deletions (see {@link DeviceListener}). */
    void addListener(DeviceListener listener);

    /** Posture's latest conclusion. */
    Device updateHealth(DeviceId id, HealthSummary health);

    static RegistryRefusal notFound(DeviceId id) {
        return RegistryRefusal.notFound("device-not-found", "device '" + id.value() + "' does not exist");
    }
}
