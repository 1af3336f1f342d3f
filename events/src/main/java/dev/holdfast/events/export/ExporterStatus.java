package dev.holdfast.events.export;

import java.time.Instant;
import java.util.Optional;

/**
 * An exporter's health as the API and metrics report it.
 *
 * @param cursor    the last sequence number known delivered (durable)
 * @param lag       events appended after the cursor (including ones the filter will skip)
 * @param lastError the last failure's kind and message, never a secret
 */
public record ExporterStatus(String name, String type, State state, long cursor, long lag, long delivered, long failures,
                             Optional<String> lastError, Optional<Instant> failingSince) {
    public enum State { STARTING, HEALTHY, FAILING, STOPPED }
}
