package dev.holdfast.registry;

import java.util.Optional;

/**
 * What to register: the id, and whatever else is known at registration. Build with
 * {@link #builder(DeviceId)}; each setter says what an unset field becomes.
 */
public record NewDevice(DeviceId id, Optional<String> hub, DeviceStatus status, Optional<String> statusReason, LifecycleState lifecycle,
                        Authentication authentication, Optional<DeviceId> parent, Optional<String> model, Capabilities capabilities,
                        JsonDocument tags, JsonDocument desired, JsonDocument reported) {
    public NewDevice {
        if (id == null || status == null || lifecycle == null || authentication == null || capabilities == null || tags == null
                || desired == null || reported == null) {
            throw new IllegalArgumentException("NewDevice: only hub, statusReason, parent and model may be empty (use the builder)");
        }
        hub = hub == null ? Optional.empty() : hub;
        statusReason = statusReason == null ? Optional.empty() : statusReason;
        parent = parent == null ? Optional.empty() : parent;
        model = model == null ? Optional.empty() : model;
    }

    public static Builder builder(DeviceId id) {
        return new Builder(id);
    }

    public static final class Builder {
        private final DeviceId id;
        private String hub;
        private DeviceStatus status = DeviceStatus.ENABLED;
        private String statusReason;
        private LifecycleState lifecycle = LifecycleState.REGISTERED;
        private Authentication authentication = new Authentication.None();
        private DeviceId parent;
        private String model;
        private Capabilities capabilities = Capabilities.NONE;
        private JsonDocument tags = JsonDocument.empty();
        private JsonDocument desired = JsonDocument.empty();
        private JsonDocument reported = JsonDocument.empty();

        private Builder(DeviceId id) {
            if (id == null) throw new IllegalArgumentException("id: null (expected: a DeviceId)");
            this.id = id;
        }

        /** Unset: no hub (assigned at provisioning). */
        public Builder hub(String hub) { this.hub = hub; return this; }
        /** Unset: enabled (a decommissioned device is disabled whatever this says). */
        public Builder status(DeviceStatus s) { this.status = s; return this; }
        /** Unset: none. */
        public Builder statusReason(String r) { this.statusReason = r; return this; }
        /** Unset: registered. Any state may be the first one; only later moves follow the matrix. */
        public Builder lifecycle(LifecycleState l) { this.lifecycle = l; return this; }
        /** Unset: {@link Authentication.None}. */
        public Builder authentication(Authentication a) { this.authentication = a; return this; }
        /** Unset: no parent. The parent must exist and be a gateway. */
        public Builder parent(DeviceId p) { this.parent = p; return this; }
        /** Unset: no model. The model must exist. */
        public Builder model(String m) { this.model = m; return this; }
        /** Unset: not a gateway. */
        public Builder capabilities(Capabilities c) { this.capabilities = c; return this; }
        /** Unset: {@code {}}. */
        public Builder tags(JsonDocument t) { this.tags = t; return this; }
        /** Unset: {@code {}}. */
        public Builder desired(JsonDocument d) { this.desired = d; return this; }
        /** Unset: {@code {}}. Normally the device's own; set here only when restoring or importing a fleet. */
        public Builder reported(JsonDocument r) { this.reported = r; return this; }

        public NewDevice build() {
            return new NewDevice(id, Optional.ofNullable(hub), status, Optional.ofNullable(statusReason), lifecycle, authentication,
                    Optional.ofNullable(parent), Optional.ofNullable(model), capabilities, tags, desired, reported);
        }
    }
}
