package dev.holdfast.pki;

/**
 * Told synchronously, in the revoking thread, right after a revocation is durable. The hub uses it to
 * cut live sessions within a second; listeners must return quickly and must not throw.
 */
@FunctionalInterface
public interface RevocationListener {
    void revoked(IssuedCertificate certificate);
}
