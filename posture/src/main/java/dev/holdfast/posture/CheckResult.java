package dev.holdfast.posture;

/**
 * The outcome of one configuration, credential, end-of-support or audit check on one device.
 *
 * @param checkId   the rule id ({@code HF-BASE-SSH-PASSWORD}, {@code HF-CRED-EXPIRED} ...)
 * @param reference the provision it implements (ETSI EN 303 645 5.1-1, NISTIR 8259A ...)
 * @param detail    what was seen: the value that broke the rule, or why the check could not run
 */
public record CheckResult(String checkId, String title, CheckSeverity severity, String reference, Outcome outcome, String detail, String remediation) {
    public CheckResult {
        if (checkId == null || title == null || severity == null || outcome == null) throw new IllegalArgumentException("CheckResult: id, title, severity, outcome required");
        reference = reference == null ? "" : reference;
        detail = detail == null ? "" : detail;
        remediation = remediation == null ? "" : remediation;
    }

    public enum Outcome {
        PASS, FAIL, NOT_APPLICABLE,
        /** The device has not reported what the check needs. */
        UNKNOWN;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public boolean failed() {
        return outcome == Outcome.FAIL;
    }
}
