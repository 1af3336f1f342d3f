package dev.holdfast.posture.baseline;

import dev.holdfast.posture.CheckSeverity;

import java.util.Optional;

/**
 * One configuration rule of a {@link RulePack}.
 *
 * @param condition CEL over {@code reported}, {@code tags}, {@code device} and {@code observed}; true means compliant
 * @param applies   CEL; when it is false the rule does not apply to the device (e.g. only devices with SSH)
 * @param reference the provision it implements: {@code ETSI EN 303 645 5.1-1}, {@code NISTIR 8259A: Device Security}
 */
public record Rule(String id, String title, String rationale, CheckSeverity severity, String reference, String condition, Optional<String> applies,
                   String remediation) {
    public Rule {
        if (id == null || title == null || severity == null || condition == null) throw new IllegalArgumentException("Rule: id, title, severity, condition required");
        rationale = rationale == null ? "" : rationale;
        reference = reference == null ? "" : reference;
        applies = applies == null ? Optional.empty() : applies;
        remediation = remediation == null ? "" : remediation;
    }
}
