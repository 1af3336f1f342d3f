package dev.holdfast.posture.advisory;

/** FIRST's Exploit Prediction Scoring System: probability of exploitation in the next 30 days (0..1) and its percentile. */
public record EpssScore(String cve, double epss, double percentile, String scoreDate) {
    public EpssScore {
        if (cve == null || !(epss >= 0 && epss <= 1) || !(percentile >= 0 && percentile <= 1)) {
            throw new IllegalArgumentException("EpssScore: " + cve + " " + epss + " " + percentile + " (expected: cve, 0..1, 0..1)");
        }
        scoreDate = scoreDate == null ? "" : scoreDate;
    }
}
