package dev.holdfast.device.hub;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: attempt {@code n} waits a uniformly random time in
 * {@code [0, min(max, initial * 2^n)]}. Full jitter spreads a fleet that lost its hub at the same
 * moment over the whole window, instead of bringing it back in synchronized waves.
 */
public record Backoff(Duration initial, Duration max) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2));

    public Backoff {
        if (initial.isNegative() || initial.isZero()) throw new IllegalArgumentException("initial: " + initial + " (expected: > 0)");
        if (max.compareTo(initial) < 0) throw new IllegalArgumentException("max: " + max + " (expected: >= initial " + initial + ")");
    }

    /** The ceiling of attempt {@code attempt} (0-based), before jitter. */
    public Duration ceiling(int attempt) {
        long cap = max.toMillis();
        long base = initial.toMillis();
        int shift = Math.min(Math.max(attempt, 0), 40);
        long ceiling = base > (cap >> shift) ? cap : Math.min(cap, base << shift);
        return Duration.ofMillis(ceiling);
    }

    public Duration delay(int attempt, RandomGenerator random) {
        long ceiling = ceiling(attempt).toMillis();
        return Duration.ofMillis(random.nextLong(ceiling + 1));
    }
}
