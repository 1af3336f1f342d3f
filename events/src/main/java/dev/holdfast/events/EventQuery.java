package dev.holdfast.events;

import java.time.Instant;
import java.util.Optional;

/**
 * A filter over the event log, read in append order.
 *
 * @param afterSequence only events appended after this sequence number (0: from the start)
 * @param limit         at most this many events (1..10,000)
 */
public record EventQuery(long afterSequence, int limit, Optional<EventClass> eventClass, Optional<String> deviceId,
                         Optional<String> activityPrefix, Optional<Severity> minSeverity, Optional<Instant> since) {
    public EventQuery {
        if (afterSequence < 0) throw new IllegalArgumentException("afterSequence: " + afterSequence + " (expected: >= 0)");
        if (limit < 1 || limit > 10_000) throw new IllegalArgumentException("limit: " + limit + " (expected: 1..10000)");
        eventClass = eventClass == null ? Optional.empty() : eventClass;
        deviceId = deviceId == null ? Optional.empty() : deviceId;
        activityPrefix = activityPrefix == null ? Optional.empty() : activityPrefix;
        minSeverity = minSeverity == null ? Optional.empty() : minSeverity;
        since = since == null ? Optional.empty() : since;
    }

    public static EventQuery all(int limit) {
        return new EventQuery(0, limit, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public EventQuery withActivityPrefix(String prefix) {
        return new EventQuery(afterSequence, limit, eventClass, deviceId, Optional.of(prefix), minSeverity, since);
    }

    public EventQuery withDevice(String device) {
        return new EventQuery(afterSequence, limit, eventClass, Optional.of(device), activityPrefix, minSeverity, since);
    }

    public EventQuery after(long sequence) {
        return new EventQuery(sequence, limit, eventClass, deviceId, activityPrefix, minSeverity, since);
    }
}
