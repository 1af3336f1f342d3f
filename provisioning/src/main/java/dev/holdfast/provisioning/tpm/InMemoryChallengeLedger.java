package dev.holdfast.provisioning.tpm;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ChallengeLedger} for one process: used ids are remembered until their challenge expires.
 * Bounded: when {@code maxEntries} unexpired ids are held, {@link #consume} refuses to run rather than
 * forget one (forgetting would let a replay through).
 */
public final class InMemoryChallengeLedger implements ChallengeLedger {
    private final Map<String, Instant> used = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int maxEntries;

    public InMemoryChallengeLedger(Clock clock, int maxEntries) {
        if (maxEntries < 1) throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
        this.clock = clock;
        this.maxEntries = maxEntries;
    }

    @Override
    public boolean consume(String challengeId, Instant expiresAt) {
        if (used.size() >= maxEntries) {
            Instant now = clock.instant();
            used.values().removeIf(exp -> exp.isBefore(now));
            if (used.size() >= maxEntries) {
                throw new IllegalStateException("challenge ledger holds " + used.size() + " unexpired ids, its limit is " + maxEntries);
            }
        }
        return used.putIfAbsent(challengeId, expiresAt) == null;
    }
}
