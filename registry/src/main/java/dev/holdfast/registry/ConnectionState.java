package dev.holdfast.registry;

import java.util.Locale;

/** Whether the device holds a session with its hub right now, as the hub last recorded it. */
public enum ConnectionState {
    CONNECTED, DISCONNECTED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ConnectionState parse(String text) {
        for (ConnectionState s : values()) if (s.wireName().equals(text)) return s;
        throw RegistryRefusal.invalid("invalid-connection-state", "connectionState: '" + RegistryLimits.excerpt(text)
                + "' (expected: connected or disconnected)").exception();
    }
}
