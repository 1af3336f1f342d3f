package dev.holdfast.posture.advisory;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What one import did. {@code unchanged} counts records already stored with the same content or a newer
 * {@code modified}; {@code refused} counts records (or whole files) that did not parse, the first
 * {@link #MAX_ERRORS} of them described in {@code errors} as {@code file[!entry] location: reason}.
 *
 * @param changedTargets the package keys and CPE products whose advisories changed: the images to re-match
 */
public record ImportReport(String source, Instant startedAt, Instant finishedAt, long read, long added, long updated, long unchanged,
                           long refused, long kev, long epss, List<String> errors, Set<String> changedTargets) {
    public static final int MAX_ERRORS = 20;

    public ImportReport {
        errors = List.copyOf(errors);
        changedTargets = Set.copyOf(changedTargets);
    }

    public boolean changedAnything() {
        return added + updated + kev + epss > 0;
    }
}
