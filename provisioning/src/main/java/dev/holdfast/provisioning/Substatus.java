package dev.holdfast.provisioning;

/** Azure DPS registration substatus: what happened to the device's data. */
public enum Substatus {
    INITIAL_ASSIGNMENT("initialAssignment"),
    DEVICE_DATA_MIGRATED("deviceDataMigrated"),
    DEVICE_DATA_RESET("deviceDataReset"),
    REPROVISIONED_TO_INITIAL_ASSIGNMENT("reprovisionedToInitialAssignment");

    private final String wire;

    Substatus(String wire) {
        this.wire = wire;
    }

    public String wireName() {
        return wire;
    }

    public static Substatus parse(String s) {
        for (Substatus v : values()) if (v.wire.equals(s)) return v;
        throw new IllegalArgumentException("substatus: '" + s + "'");
    }
}
