package dev.holdfast.registry.internal;

import dev.holdfast.registry.Authentication;
import dev.holdfast.registry.Capabilities;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceStatus;
import dev.holdfast.registry.DeviceUpdate;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.RegistryLimits;
import dev.holdfast.registry.RegistryRefusal;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules on a device's identity fields that need no database: hub names, reasons, the lifecycle
 * matrix and its tie to the status. Parents and models, which need lookups, are checked by the callers.
 */
final class DeviceRules {
    private static final Pattern HUB = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?");
    static final String DECOMMISSIONED_REASON = "decommissioned";

    private DeviceRules() {
    }

    static Optional<String> hub(Optional<String> hub) {
        hub.ifPresent(h -> {
            if (h.length() > RegistryLimits.MAX_HUB_LENGTH || !HUB.matcher(h).matches()) {
                throw RegistryRefusal.invalid("invalid-hub", "hub: '" + RegistryLimits.excerpt(h) + "' (expected: a host name with an optional :port, at most "
                        + RegistryLimits.MAX_HUB_LENGTH + " characters)").exception();
            }
        });
        return hub;
    }

    static Optional<String> reason(String field, Optional<String> reason) {
        reason.ifPresent(r -> {
            if (r.length() > RegistryLimits.MAX_REASON_LENGTH) {
                throw RegistryRefusal.invalid("invalid-reason", field + ": " + r.length() + " characters (expected: at most "
                        + RegistryLimits.MAX_REASON_LENGTH + ")").exception();
            }
            for (int i = 0; i < r.length(); i++) {
                if (Character.isISOControl(r.charAt(i))) {
                    throw RegistryRefusal.invalid("invalid-reason", field + ": control character at offset " + i).exception();
                }
            }
        });
        return reason.filter(r -> !r.isEmpty());
    }

    /** A lifecycle move, or the refusal that quotes the matrix. */
    static LifecycleState transition(DeviceId id, LifecycleState from, LifecycleState to) {
        return switch (from.transitionTo(to)) {
            case LifecycleState.Transition.Allowed a -> a.to();
            case LifecycleState.Transition.Unchanged u -> u.state();
            case LifecycleState.Transition.Forbidden f -> throw RegistryRefusal.conflict("invalid-transition",
                    "device '" + id.value() + "': " + f.explanation()).exception();
        };
    }

    /**
     * {@code current} with the identity fields of {@code u} applied (parent and model not yet checked
     * against the registry), at {@code now}; the version is the caller's business.
     */
    static Device apply(Device current, DeviceUpdate u, Instant now) {
        DeviceId id = current.id();
        Optional<String> hub = u.hub().isPresent() ? hub(u.hub().get()) : current.hub();
        LifecycleState lifecycle = u.lifecycle().map(l -> transition(id, current.lifecycle(), l)).orElse(current.lifecycle());
        DeviceStatus status = u.status().orElse(current.status());
        Optional<String> statusReason;
        if (u.statusReason().isPresent()) {
            statusReason = reason("statusReason", u.statusReason().get());
        } else if (status != current.status()) {
            statusReason = Optional.empty(); // a new status does not keep the old status' reason
        } else {
            statusReason = current.statusReason();
        }
        if (lifecycle == LifecycleState.DECOMMISSIONED) {
            if (status == DeviceStatus.ENABLED && u.status().isPresent()) {
                throw RegistryRefusal.conflict("decommissioned", "device '" + id.value() + "' is decommissioned and stays disabled").exception();
            }
            if (current.lifecycle() != LifecycleState.DECOMMISSIONED) {
                statusReason = u.statusReason().isPresent() ? statusReason : Optional.of(u.reason().orElse(DECOMMISSIONED_REASON));
            }
            status = DeviceStatus.DISABLED;
        }
        Authentication auth = u.authentication().orElse(current.authentication());
        Optional<DeviceId> parent = u.parent().isPresent() ? u.parent().get() : current.parent();
        Optional<String> model = u.model().isPresent() ? u.model().get() : current.model();
        Capabilities caps = u.capabilities().orElse(current.capabilities());
        return new Device(id, hub, status, statusReason, lifecycle, auth, parent, model, caps, current.tags(), current.tagsVersion(),
                current.twin(), current.connectionState(), current.lastActivity(), current.health(), current.createdAt(), now,
                current.version());
    }

    /** True when the two differ in anything a full update writes (not versions or times). */
    static boolean sameIdentity(Device a, Device b) {
        return a.hub().equals(b.hub()) && a.status() == b.status() && a.statusReason().equals(b.statusReason())
                && a.lifecycle() == b.lifecycle() && a.authentication().equals(b.authentication()) && a.parent().equals(b.parent())
                && a.model().equals(b.model()) && a.capabilities().equals(b.capabilities());
    }
}
