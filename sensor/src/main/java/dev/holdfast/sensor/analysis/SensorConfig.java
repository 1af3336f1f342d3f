package dev.holdfast.sensor.analysis;

import java.time.Duration;

/**
 * Tuning of the analysis.
 *
 * @param learningPeriod     capture time from the first packet during which the baseline is learned (default 10 minutes);
 *                           ignored when baseline captures are given explicitly
 * @param volumeBucket       width of the per-asset volume buckets (default 1 minute)
 * @param volumeMadFactor    a bucket is anomalous above median + this many scaled MADs (default 6)
 * @param scanThreshold      distinct ports on one host, or hosts on one port, that make a scan (default 20)
 * @param scanWindow         the window those are counted in (default 1 minute)
 */
public record SensorConfig(Duration learningPeriod, Duration volumeBucket, double volumeMadFactor, int scanThreshold,
                           Duration scanWindow) {
    public SensorConfig {
        if (learningPeriod.isNegative()) throw new IllegalArgumentException("learningPeriod: " + learningPeriod + " (expected: >= 0)");
        if (volumeBucket.isZero() || volumeBucket.isNegative()) throw new IllegalArgumentException("volumeBucket: " + volumeBucket + " (expected: > 0)");
        if (scanThreshold < 2) throw new IllegalArgumentException("scanThreshold: " + scanThreshold + " (expected: >= 2)");
    }

    public static SensorConfig defaults() {
        return new SensorConfig(Duration.ofMinutes(10), Duration.ofMinutes(1), 6.0, 20, Duration.ofMinutes(1));
    }

    public SensorConfig withLearningPeriod(Duration d) {
        return new SensorConfig(d, volumeBucket, volumeMadFactor, scanThreshold, scanWindow);
    }
}
