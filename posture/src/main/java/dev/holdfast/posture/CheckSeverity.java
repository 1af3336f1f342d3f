package dev.holdfast.posture;

import java.util.Locale;
import java.util.Optional;

/** How bad a failed check is; also its weight in the risk score. */
public enum CheckSeverity {
    LOW(15), MEDIUM(40), HIGH(70), CRITICAL(90);

    private final int weight;

    CheckSeverity(int weight) {
        this.weight = weight;
    }

    /** The risk (0..100) a failure of this severity contributes on its own. */
    public int weight() {
        return weight;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<CheckSeverity> parse(String s) {
        for (CheckSeverity c : values()) if (c.wireName().equals(s)) return Optional.of(c);
        return Optional.empty();
    }

    public dev.holdfast.events.Severity eventSeverity() {
        return switch (this) {
            case LOW -> dev.holdfast.events.Severity.LOW;
            case MEDIUM -> dev.holdfast.events.Severity.MEDIUM;
            case HIGH -> dev.holdfast.events.Severity.HIGH;
            case CRITICAL -> dev.holdfast.events.Severity.CRITICAL;
        };
    }
}
