package dev.holdfast.events;

/** OCSF severity ids (0 unknown ... 6 fatal). */
public enum Severity {
    UNKNOWN(0), INFORMATIONAL(1), LOW(2), MEDIUM(3), HIGH(4), CRITICAL(5), FATAL(6);

    private final int id;

    Severity(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public static Severity ofId(int id) {
        for (Severity s : values()) if (s.id == id) return s;
        return UNKNOWN;
    }
}
