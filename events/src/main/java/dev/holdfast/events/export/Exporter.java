package dev.holdfast.events.export;

import dev.holdfast.events.StoredEvent;

import java.io.IOException;
import java.util.List;

/**
 * One destination for security events (a SIEM's syslog collector, a webhook, a Kafka topic, a file).
 * The {@link ExportPipeline} calls it from one thread of its own, in sequence order, and keeps the
 * durable cursor; an exporter only has to deliver and to say how far delivery is certain.
 *
 * <p>Transports with an acknowledgement (HTTP status, Kafka acks, fsync) return the last sequence of
 * the batch from {@link #send}. A transport without one (syslog over TLS) returns less and confirms
 * later through {@link #confirm}; whatever is not confirmed when a failure occurs is sent again.
 */
public interface Exporter extends AutoCloseable {

    /**
     * Delivers {@code batch} (non-empty, ascending sequence numbers), connecting first when needed.
     *
     * @return the highest sequence number now known delivered (0 when none yet)
     * @throws IOException when the destination cannot take the batch; the pipeline then calls
     *                     {@link #reset}, waits (exponential backoff) and sends again from its cursor
     */
    long send(List<StoredEvent> batch) throws IOException;

    /** Called when there is nothing to send; returns the highest sequence number known delivered (0: none). */
    default long confirm() throws IOException {
        return 0;
    }

    /**
     * Called before a graceful stop: waits at most a few seconds for outstanding deliveries to be
     * confirmed and returns the highest sequence number known delivered.
     */
    default long drain() throws IOException {
        return confirm();
    }

    /** Drops the connection after a failure, so the next {@link #send} starts afresh. */
    default void reset() {
    }

    @Override
    void close();
}
