package dev.holdfast.posture;

import java.time.Duration;

/**
 * Posture's thresholds.
 *
 * @param certificateExpiryWarning a device or CA certificate expiring within this is flagged (default 30 days)
 * @param maxCertificateAge        a device certificate older than this is flagged (default 397 days, the CA/Browser Forum's ceiling)
 * @param endOfSupportWarning      a model whose end of support is within this is flagged (default 180 days)
 * @param minRsaBits               smallest acceptable RSA key (default 2048, NIST SP 800-131A)
 * @param minEcBits                smallest acceptable EC key (default 256)
 * @param eventExportEnabled       whether security events leave Holdfast (SIEM export); the audit flags false
 */
public record PostureSettings(Duration certificateExpiryWarning, Duration maxCertificateAge, Duration endOfSupportWarning, int minRsaBits, int minEcBits,
                              boolean eventExportEnabled) {
    public static final PostureSettings DEFAULTS = new PostureSettings(Duration.ofDays(30), Duration.ofDays(397), Duration.ofDays(180), 2048, 256, false);

    public PostureSettings {
        if (certificateExpiryWarning == null || certificateExpiryWarning.isNegative()) throw new IllegalArgumentException("certificateExpiryWarning: " + certificateExpiryWarning + " (expected: >= 0)");
        if (maxCertificateAge == null || !maxCertificateAge.isPositive()) throw new IllegalArgumentException("maxCertificateAge: " + maxCertificateAge + " (expected: > 0)");
        if (endOfSupportWarning == null || endOfSupportWarning.isNegative()) throw new IllegalArgumentException("endOfSupportWarning: " + endOfSupportWarning + " (expected: >= 0)");
        if (minRsaBits < 1024 || minEcBits < 160) throw new IllegalArgumentException("minRsaBits/minEcBits: " + minRsaBits + "/" + minEcBits + " (expected: >= 1024 / >= 160)");
    }

    public PostureSettings withEventExport(boolean enabled) {
        return new PostureSettings(certificateExpiryWarning, maxCertificateAge, endOfSupportWarning, minRsaBits, minEcBits, enabled);
    }
}
