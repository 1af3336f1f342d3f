package dev.holdfast.device;

import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.util.Optional;

/**
 * A device's key pair: the private half may live in software or on a token (PKCS#11) where it can
 * sign but never be read. Everything the SDK does with a key (CSR, TLS client authentication) goes
 * through {@link #privateKey()} and {@link #provider()}, so a token key works wherever a software
 * key does.
 */
public interface DeviceKey {
    PrivateKey privateKey();

    PublicKey publicKey();

    /** The provider that must sign with {@link #privateKey()}, or empty for the JDK's default choice. */
    Optional<Provider> provider();

    /** JCA signature algorithm for CSRs, e.g. {@code SHA256withECDSA}. */
    default String signatureAlgorithm() {
        return "SHA256withECDSA";
    }

    /** Where the key lives, for logs: {@code software} or {@code pkcs11:libsofthsm2.so;slot=N#alias}. */
    String location();
}
