package dev.holdfast.registry;

import java.util.Locale;

/**
 * Whether a device may connect at all. Independent of the {@link LifecycleState}, except that a
 * decommissioned device is always disabled. A disabled device keeps its identity, twin and history;
 * the hub refuses its connections.
 */
public enum DeviceStatus {
    ENABLED, DISABLED;

    /** The name on the wire and in the database: {@code enabled}, {@code disabled}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses untrusted text, or refuses naming the accepted values. */
    public static DeviceStatus parse(String text) {
        for (DeviceStatus s : values()) if (s.wireName().equals(text)) return s;
        throw RegistryRefusal.invalid("invalid-status", "status: '" + RegistryLimits.excerpt(text) + "' (expected: enabled or disabled)").exception();
    }
}
