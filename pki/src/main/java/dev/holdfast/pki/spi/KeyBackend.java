package dev.holdfast.pki.spi;

import dev.holdfast.pki.KeyAlgorithm;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Stores CA keys: an encrypted PKCS#12 file or a PKCS#11 token. A freshly generated key is persisted
 * at once with a placeholder certificate, so a key whose certificate is signed elsewhere (an offline
 * root) survives restarts; {@link #attachCertificateChain} replaces the placeholder.
 */
public interface KeyBackend extends AutoCloseable {
    Signer generate(String alias, KeyAlgorithm algorithm);

    Optional<Signer> load(String alias);

    void attachCertificateChain(String alias, X509Certificate[] chain);

    String describe();

    @Override
    void close();
}
