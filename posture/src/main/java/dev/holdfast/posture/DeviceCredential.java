package dev.holdfast.posture;

import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A certificate a device authenticates with, as posture judges it: from Holdfast's PKI (issued to the
 * device) or from the device's own report ({@code reported.certificate}).
 *
 * @param keySize    bits (RSA modulus, EC field size); 0 when unknown
 * @param revokedAt  when the PKI revoked it, if it did
 * @param source     {@code pki} or {@code reported}
 */
public record DeviceCredential(String sha256, Instant notBefore, Instant notAfter, String keyAlgorithm, int keySize, String signatureAlgorithm,
                               Optional<Instant> revokedAt, String source) {
    public DeviceCredential {
        if (sha256 == null || notBefore == null || notAfter == null) throw new IllegalArgumentException("DeviceCredential: sha256, notBefore, notAfter required");
        keyAlgorithm = keyAlgorithm == null ? "" : keyAlgorithm;
        signatureAlgorithm = signatureAlgorithm == null ? "" : signatureAlgorithm;
        revokedAt = revokedAt == null ? Optional.empty() : revokedAt;
        source = source == null ? "" : source;
    }

    public static DeviceCredential of(X509Certificate c, Optional<Instant> revokedAt, String source) {
        String sha;
        try {
            sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (Exception e) {
            throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
        }
        int size = 0;
        if (c.getPublicKey() instanceof RSAPublicKey r) size = r.getModulus().bitLength();
        else if (c.getPublicKey() instanceof ECPublicKey e) size = e.getParams().getCurve().getField().getFieldSize();
        else if (c.getPublicKey().getAlgorithm().equals("Ed25519")) size = 256;
        String alg = c.getPublicKey().getAlgorithm().equals("ECDSA") ? "EC" : c.getPublicKey().getAlgorithm();
        return new DeviceCredential(sha, c.getNotBefore().toInstant(), c.getNotAfter().toInstant(), alg, size, c.getSigAlgName(), revokedAt, source);
    }
}
