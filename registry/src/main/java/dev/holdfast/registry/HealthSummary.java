package dev.holdfast.registry;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What posture concluded about a device the last time it looked: compliance with the baseline, a risk
 * score and the reasons behind both. The registry stores it; posture writes it
 * ({@link DeviceRegistry#updateHealth}); until then it is {@link #UNKNOWN}.
 *
 * @param risk    0.0 (none) .. 100.0 (critical); empty until scored
 * @param reasons short findings, e.g. {@code "firmware 2.0.1 has CVE-2026-1234"}; at most 32, each at most 512 characters
 */
public record HealthSummary(Compliance compliance, Optional<Double> risk, List<String> reasons) {
    public static final HealthSummary UNKNOWN = new HealthSummary(Compliance.UNKNOWN, Optional.empty(), List.of());
    public static final int MAX_REASONS = 32;
    public static final int MAX_REASON_LENGTH = 512;

    public HealthSummary {
        if (compliance == null) throw new IllegalArgumentException("compliance: null (expected: a Compliance)");
        risk = risk == null ? Optional.empty() : risk;
        risk.ifPresent(r -> {
            if (!(r >= 0.0 && r <= 100.0)) throw new IllegalArgumentException("risk: " + r + " (expected: 0.0..100.0)");
        });
        reasons = List.copyOf(reasons == null ? List.of() : reasons);
        if (reasons.size() > MAX_REASONS) throw new IllegalArgumentException("reasons: " + reasons.size() + " (expected: at most " + MAX_REASONS + ")");
        for (String r : reasons) {
            if (r.length() > MAX_REASON_LENGTH) throw new IllegalArgumentException("reasons: one has " + r.length() + " characters (expected: at most " + MAX_REASON_LENGTH + ")");
        }
    }

    public enum Compliance {
        COMPLIANT, NON_COMPLIANT, UNKNOWN;

        /** {@code compliant}, {@code non-compliant}, {@code unknown}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Compliance parse(String text) {
            for (Compliance c : values()) if (c.wireName().equals(text)) return c;
            throw RegistryRefusal.invalid("invalid-compliance", "health.compliance: '" + RegistryLimits.excerpt(text)
                    + "' (expected: compliant, non-compliant or unknown)").exception();
        }
    }
}
