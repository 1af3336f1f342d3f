package dev.holdfast.registry;

import java.util.Optional;

/**
 * Changes to a device's identity fields, applied together in one write (tags and twin have their own
 * calls). For each field: an empty outer {@code Optional} leaves it as it is; for the fields that may be
 * absent on a device (hub, status reason, parent, model), an empty inner {@code Optional} clears it.
 * Build with {@link #builder()}.
 */
public record DeviceUpdate(Optional<Optional<String>> hub, Optional<DeviceStatus> status, Optional<Optional<String>> statusReason,
                           Optional<LifecycleState> lifecycle, Optional<String> reason, Optional<Authentication> authentication,
                           Optional<Optional<DeviceId>> parent, Optional<Optional<String>> model, Optional<Capabilities> capabilities) {
    public DeviceUpdate {
        hub = hub == null ? Optional.empty() : hub;
        status = status == null ? Optional.empty() : status;
        statusReason = statusReason == null ? Optional.empty() : statusReason;
        lifecycle = lifecycle == null ? Optional.empty() : lifecycle;
        reason = reason == null ? Optional.empty() : reason;
        authentication = authentication == null ? Optional.empty() : authentication;
        parent = parent == null ? Optional.empty() : parent;
        model = model == null ? Optional.empty() : model;
        capabilities = capabilities == null ? Optional.empty() : capabilities;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when the update changes nothing. */
    public boolean isEmpty() {
        return hub.isEmpty() && status.isEmpty() && statusReason.isEmpty() && lifecycle.isEmpty() && authentication.isEmpty()
                && parent.isEmpty() && model.isEmpty() && capabilities.isEmpty();
    }

    /** Every setter is optional; a field not set is left unchanged. */
    public static final class Builder {
        private Optional<Optional<String>> hub = Optional.empty();
        private Optional<DeviceStatus> status = Optional.empty();
        private Optional<Optional<String>> statusReason = Optional.empty();
        private Optional<LifecycleState> lifecycle = Optional.empty();
        private Optional<String> reason = Optional.empty();
        private Optional<Authentication> authentication = Optional.empty();
        private Optional<Optional<DeviceId>> parent = Optional.empty();
        private Optional<Optional<String>> model = Optional.empty();
        private Optional<Capabilities> capabilities = Optional.empty();

        private Builder() {
        }

        /** A hub host name, or null to clear it. */
        public Builder hub(String h) { hub = Optional.of(Optional.ofNullable(h)); return this; }
        /** Enable or disable; give the reason with {@link #statusReason}. */
        public Builder status(DeviceStatus s) { status = Optional.of(s); return this; }
        /** Why, or null to clear. Unset while the status changes: the old reason is cleared. */
        public Builder statusReason(String r) { statusReason = Optional.of(Optional.ofNullable(r)); return this; }
        /** Moves the lifecycle, if the matrix of {@link LifecycleState} allows it. */
        public Builder lifecycle(LifecycleState l) { lifecycle = Optional.of(l); return this; }
        /** Why the lifecycle moves; recorded in the security event, not on the device. */
        public Builder reason(String r) { reason = Optional.ofNullable(r); return this; }
        public Builder authentication(Authentication a) { authentication = Optional.of(a); return this; }
        /** A gateway, or null to detach the device from its parent. */
        public Builder parent(DeviceId p) { parent = Optional.of(Optional.ofNullable(p)); return this; }
        /** A device model id, or null to clear. */
        public Builder model(String m) { model = Optional.of(Optional.ofNullable(m)); return this; }
        public Builder capabilities(Capabilities c) { capabilities = Optional.of(c); return this; }

        public DeviceUpdate build() {
            return new DeviceUpdate(hub, status, statusReason, lifecycle, reason, authentication, parent, model, capabilities);
        }
    }
}
