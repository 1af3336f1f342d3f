package dev.holdfast.pki.spi;

import org.bouncycastle.operator.ContentSigner;

import java.security.PublicKey;

/**
 * A CA signing key, wherever it lives (a PKCS#12 file in memory, a PKCS#11 token). The private key
 * never leaves the backend: callers get a fresh {@link ContentSigner} per signature.
 */
public interface Signer {
    PublicKey publicKey();

    /** JCA signature algorithm name, e.g. {@code SHA256withECDSA}. */
    String signatureAlgorithm();

    /** A new, single-use content signer (ContentSigner instances are not thread-safe). */
    ContentSigner contentSigner();

    /** Where the key lives, for {@code ca show}: {@code pkcs12:/path#alias}, {@code pkcs11:slot=3#alias}. */
    String location();
}
