package dev.holdfast.provisioning.tpm;

import java.time.Instant;

/**
 * One-time use of challenges, owned by the caller because it is state: {@link TpmAttestation}
 * itself is stateless. {@link #consume} must be atomic across every node that verifies: the
 * registration service implements it on its store, for example as
 * {@code DELETE FROM tpm_challenge WHERE id = ?} (consumed when one row was deleted) or as an
 * {@code INSERT} into a table with the id as primary key (consumed unless it violates the key).
 * {@link InMemoryChallengeLedger} is the single-process version.
 */
@FunctionalInterface
public interface ChallengeLedger {
    /**
     * Marks the challenge used.
     *
     * @param challengeId the challenge's id
     * @param expiresAt   after this the record may be forgotten (the challenge is refused as expired anyway)
     * @return true exactly once per id: false means it was used before (a replay)
     */
    boolean consume(String challengeId, Instant expiresAt);
}
