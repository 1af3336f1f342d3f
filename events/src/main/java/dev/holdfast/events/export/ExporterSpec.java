package dev.holdfast.events.export;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;

import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What every exporter has, whatever its transport.
 *
 * @param name           unique among exporters; the key of its durable cursor (letters, digits, {@code -}, {@code _})
 * @param classes        the event classes it exports; empty means all
 * @param minSeverity    events below it are skipped (and counted as passed by the cursor)
 * @param batchSize      at most this many events per delivery (1..10,000)
 * @param initialBackoff the first wait after a failure; doubled after each further failure
 * @param maxBackoff     the cap of the wait
 */
public record ExporterSpec(String name, Set<EventClass> classes, Severity minSeverity, int batchSize,
                           Duration initialBackoff, Duration maxBackoff) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    public ExporterSpec {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: " + name + " (expected: 1-64 letters, digits, '-' or '_')");
        }
        classes = classes == null ? Set.of() : Set.copyOf(classes);
        if (minSeverity == null) minSeverity = Severity.UNKNOWN;
        if (batchSize < 1 || batchSize > 10_000) throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: 1..10000)");
        if (initialBackoff == null || initialBackoff.isNegative() || initialBackoff.isZero()) {
            throw new IllegalArgumentException("initialBackoff: " + initialBackoff + " (expected: > 0)");
        }
        if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff: " + maxBackoff + " (expected: >= initialBackoff " + initialBackoff + ")");
        }
    }

    /** Defaults: all classes, all severities, batches of 500, backoff from 1 s to 5 min. */
    public static ExporterSpec named(String name) {
        return new ExporterSpec(name, Set.of(), Severity.UNKNOWN, 500, Duration.ofSeconds(1), Duration.ofMinutes(5));
    }

    public boolean accepts(SecurityEvent e) {
        return e.severity().id() >= minSeverity.id() && (classes.isEmpty() || classes.contains(e.eventClass()));
    }

    public ExporterSpec withBackoff(Duration initial, Duration max) {
        return new ExporterSpec(name, classes, minSeverity, batchSize, initial, max);
    }

    public ExporterSpec withBatchSize(int size) {
        return new ExporterSpec(name, classes, minSeverity, size, initialBackoff, maxBackoff);
    }

    public ExporterSpec withFilter(Set<EventClass> classes, Severity minSeverity) {
        return new ExporterSpec(name, classes, minSeverity, batchSize, initialBackoff, maxBackoff);
    }
}
