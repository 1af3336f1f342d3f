package dev.holdfast.events;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The durable, append-only log of security events. Appending is the only way events enter; readers
 * page by sequence number; in-process subscribers are told of each event after it is durable.
 */
public interface EventLog extends EventSink {

    /** Appends durably, then notifies subscribers. Returns the event's sequence number. */
    long append(SecurityEvent event);

    @Override
    default void emit(SecurityEvent event) {
        append(event);
    }

    List<StoredEvent> read(EventQuery query);

    /**
     * Calls {@code subscriber} for each appended event that {@code filter} accepts, on a thread of the
     * log's own; a subscriber that throws is logged and kept.
     */
    EventSubscription subscribe(Predicate<SecurityEvent> filter, Consumer<StoredEvent> subscriber);

    /** Deletes events older than the retention; returns how many were removed. */
    int enforceRetention(java.time.Duration retention);
}
