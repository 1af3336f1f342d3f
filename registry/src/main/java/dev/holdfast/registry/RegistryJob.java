package dev.holdfast.registry;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A bulk import or export and how far it got. Jobs survive restarts: {@code position} (lines read, or
 * devices written) is stored with the work it counts, and an unfinished job continues from there.
 *
 * @param source    for an import, where the lines come from ({@code upload} or the file's name)
 * @param total     lines (import) or devices (export) to process, when known
 * @param succeeded lines applied, including lines that changed nothing
 * @param failed    lines refused; the first {@link BulkJobs#MAX_ERRORS_KEPT} are in {@code errors}
 * @param counts    what the applied lines did
 */
public record RegistryJob(String id, Kind kind, Status status, Optional<String> source, long position, Optional<Long> total,
                          long succeeded, long failed, Counts counts, List<LineError> errors, String createdBy,
                          Instant createdAt, Instant updatedAt) {
    public RegistryJob {
        source = source == null ? Optional.empty() : source;
        total = total == null ? Optional.empty() : total;
        errors = List.copyOf(errors);
    }

    public enum Kind {
        IMPORT, EXPORT;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Status {
        QUEUED, RUNNING, COMPLETED, FAILED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public boolean isFinished() {
            return this == COMPLETED || this == FAILED;
        }
    }

    /** What an import did: devices created, changed, left as they were (the same line again), deleted. */
    public record Counts(long created, long updated, long unchanged, long deleted) {
        public static final Counts ZERO = new Counts(0, 0, 0, 0);

        public Counts plus(Counts o) {
            return new Counts(created + o.created, updated + o.updated, unchanged + o.unchanged, deleted + o.deleted);
        }
    }

    /** A refused line: its 1-based number and why (never the line's content). */
    public record LineError(long line, String message) {
    }

    public boolean isFinished() {
        return status.isFinished();
    }
}
