package dev.holdfast.posture;

import dev.holdfast.posture.match.Finding;
import dev.holdfast.registry.HealthSummary;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Posture's conclusion about one device.
 *
 * @param image           the firmware image (model + reported firmware version), when both are known
 * @param sbomKnown       whether an SBOM is on file for that image
 * @param findings        vulnerability findings, open and VEX-suppressed
 * @param checks          every baseline, credential and end-of-support check with its outcome
 * @param reasons         why the device is not compliant (or unknown), worst first, as stored in the health summary
 */
public record DevicePosture(String deviceId, Optional<FirmwareImage> image, boolean sbomKnown, HealthSummary.Compliance compliance, double risk,
                            List<String> reasons, List<Finding> findings, List<CheckResult> checks, List<Recommendation> recommendations,
                            Instant evaluatedAt) {
    public DevicePosture {
        image = image == null ? Optional.empty() : image;
        reasons = List.copyOf(reasons);
        findings = List.copyOf(findings);
        checks = List.copyOf(checks);
        recommendations = List.copyOf(recommendations);
    }

    public HealthSummary health() {
        List<String> r = reasons.size() > HealthSummary.MAX_REASONS ? reasons.subList(0, HealthSummary.MAX_REASONS) : reasons;
        return new HealthSummary(compliance, Optional.of(risk), r.stream()
                .map(s -> s.length() > HealthSummary.MAX_REASON_LENGTH ? s.substring(0, HealthSummary.MAX_REASON_LENGTH) : s).toList());
    }

    public List<Finding> openFindings() {
        return findings.stream().filter(Finding::open).toList();
    }
}
