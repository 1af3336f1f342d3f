package dev.holdfast.posture.match;

import dev.holdfast.posture.advisory.Advisory;
import dev.holdfast.posture.sbom.SbomComponent;
import dev.holdfast.posture.sbom.VexStatement;

import java.util.Optional;

/**
 * One advisory that applies to one component, and why.
 *
 * @param matchedBy    {@code purl}, {@code cpe} or {@code name}: which of the component's identities matched
 * @param range        the range or list that contains the version, as the advisory wrote it
 * @param reason       one sentence: component, version, advisory clause
 * @param fixedVersion the first version past the range, when the advisory names one: the upgrade to recommend
 * @param suppressedBy the VEX statement that closes it (not_affected, fixed ...), if any
 * @param cvss         the advisory's CVSS base score ({@link dev.holdfast.posture.RiskModel#cvss}), computed once when matched
 */
public record Finding(Advisory advisory, SbomComponent component, String matchedBy, String range, String reason, Optional<String> fixedVersion,
                      Optional<VexStatement> suppressedBy, Optional<Double> cvss) {
    public Finding {
        fixedVersion = fixedVersion == null ? Optional.empty() : fixedVersion;
        suppressedBy = suppressedBy == null ? Optional.empty() : suppressedBy;
        cvss = cvss == null ? Optional.empty() : cvss;
    }

    public boolean open() {
        return suppressedBy.isEmpty();
    }
}
