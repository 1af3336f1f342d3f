package dev.holdfast.server.cli;

import java.time.Duration;
import java.util.Locale;

/** Durations as operators type them on the command line, for every command that takes one. */
public final class CliDurations {
    private CliDurations() {
    }

    /** {@code PT5S} or {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
    public static Duration parse(String s, String option) {
        String v = s.strip().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt") || v.startsWith("p")) return Duration.parse(s.strip().toUpperCase(Locale.ROOT));
            if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw CliFailure.usage(option + ": '" + s + "' (expected a duration such as 30s, 5m, 250ms or PT30S)");
        }
    }
}
