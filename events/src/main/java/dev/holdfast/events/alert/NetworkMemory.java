package dev.holdfast.events.alert;

/** The networks each device was seen from, for {@link AlertRule.NewNetwork}. */
public interface NetworkMemory {
    /** Records {@code network} for {@code device}; returns whether the device had other networks and not this one. */
    Sighting remember(String rule, String device, String network);

    enum Sighting { FIRST_NETWORK, KNOWN_NETWORK, NEW_NETWORK }
}
