package dev.holdfast.registry;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Bulk import and export of devices as JSON Lines (one device per line, the shape of
 * {@code docs/registry.md}), run as background jobs with progress.
 *
 * <p><b>Idempotent.</b> Each import line states the whole device ({@code importMode} {@code createOrUpdate},
 * the default): a device that does not exist is created, one that differs is updated, one that already
 * is as the line says is left alone, its versions and ETags untouched. Importing the same file twice
 * yields the same registry. {@code importMode: "create"} refuses lines whose device exists;
 * {@code "delete"} removes the device.
 *
 * <p><b>Resumable.</b> Lines are applied in batches, each in one transaction together with the job's
 * position; a job interrupted by a stop or a crash continues after the last committed batch when the
 * registry starts again. An export writes its file the same way and truncates it back to the last
 * committed position before it continues.
 *
 * <p><b>Ordering.</b> A line's parent must exist when the line is applied (earlier in the file or in
 * the registry); exports write parents before their children, so an export imports back as it is.
 */
public interface BulkJobs {
    /** Refused lines kept with their message in a job; the rest are only counted. */
    int MAX_ERRORS_KEPT = 100;

    /** Starts importing a file the server can read, which must be under {@link #importDirectory()}. */
    RegistryJob importFile(Path file, String actor);

    /**
     * Stores {@code lines} (JSON Lines) as the job's source, at most {@code maxBytes}, then imports it
     * like a file. The upload is kept until the job finishes, so the job survives a restart.
     */
    RegistryJob importUpload(InputStream lines, long maxBytes, String actor);

    /** Starts exporting every device; the file is {@link #exportFile(String)} once the job completes. */
    RegistryJob export(String actor);

    Optional<RegistryJob> find(String id);

    /** The job, or a {@code job-not-found} refusal (404). */
    default RegistryJob get(String id) {
        return find(id).orElseThrow(() -> RegistryRefusal.notFound("job-not-found", "job '" + RegistryLimits.excerpt(id) + "' does not exist").exception());
    }

    /** The most recent jobs first, at most {@code limit}. */
    List<RegistryJob> list(int limit);

    /** The JSON Lines a completed export wrote; refused while the job runs or when it is not an export. */
    Path exportFile(String id);

    /** Where {@link #importFile} may read from: server-side files must be placed here. */
    Path importDirectory();
}
