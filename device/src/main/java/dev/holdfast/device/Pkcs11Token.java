package dev.holdfast.device;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A PKCS#11 token (a secure element, an HSM, SoftHSM2 in tests) opened through the JDK's SunPKCS11
 * provider. Keys generated here are marked {@code CKA_SENSITIVE} and not {@code CKA_EXTRACTABLE}:
 * the token signs CSRs and TLS handshakes, the private key never leaves it.
 *
 * <p>PKCS#11 stores keys with a certificate; a key is generated with a self-signed placeholder
 * certificate and {@link #storeChain} replaces it with the issued chain, so the token holds the
 * device's whole identity across restarts.
 */
public final class Pkcs11Token {
    private final Provider provider;
    private final KeyStore store;
    private final String description;

    private Pkcs11Token(Provider provider, KeyStore store, String description) {
        this.provider = provider;
        this.store = store;
        this.description = description;
    }

    /**
     * Logs in to the token in {@code slotId} of {@code library}. The PIN array is wiped before this
     * returns.
     */
    public static Pkcs11Token open(Path library, long slotId, char[] pin) {
        if (!Files.isRegularFile(library)) {
            throw new IllegalArgumentException("pkcs11 library: " + library + " (expected: an existing PKCS#11 module)");
        }
        String config = "--name = holdfast-device-" + slotId + "\n"
                + "library = " + library + "\nslot = " + slotId + "\n"
                + "attributes(generate, CKO_PRIVATE_KEY, *) = {\n  CKA_TOKEN = true\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n"
                + "attributes(generate, CKO_PUBLIC_KEY, *) = {\n  CKA_TOKEN = true\n}\n";
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) throw new IllegalStateException("the JDK has no SunPKCS11 provider");
        Provider provider = base.configure(config);
        // JSSE signs the TLS CertificateVerify through Signature.getInstance(alg) with delayed provider
        // selection, which only considers installed providers: without this a token key cannot
        // authenticate a handshake ("No supported CertificateVerify signature algorithm").
        if (Security.getProvider(provider.getName()) == null) Security.addProvider(provider);
        String description = "pkcs11:" + library.getFileName() + ";slot=" + slotId;
        try {
            KeyStore store = KeyStore.getInstance("PKCS11", provider);
            store.load(null, pin);
            return new Pkcs11Token(provider, store, description);
        } catch (Exception e) {
            throw new IllegalStateException("cannot log in to PKCS#11 token (" + description + "): " + e.getMessage(), e);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    /** Generates a P-256 key on the token under {@code alias} (replacing any key of that name). */
    public synchronized DeviceKey generateP256(String alias) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            TokenKey key = new TokenKey(kp.getPrivate(), kp.getPublic(), provider, description + "#" + alias);
            X509Certificate placeholder = Certificates.selfSigned("placeholder " + alias, key);
            store.setKeyEntry(alias, kp.getPrivate(), null, new Certificate[]{placeholder});
            return load(alias).orElseThrow(() -> new IllegalStateException("key " + alias + " not found on " + description + " after generation"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a P-256 key " + alias + " on " + description + ": " + e.getMessage(), e);
        }
    }

    public synchronized Optional<DeviceKey> load(String alias) {
        try {
            if (!store.isKeyEntry(alias)) return Optional.empty();
            PrivateKey key = (PrivateKey) store.getKey(alias, null);
            PublicKey pub = store.getCertificate(alias).getPublicKey();
            return Optional.of(new TokenKey(key, pub, provider, description + "#" + alias));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load key " + alias + " from " + description + ": " + e.getMessage(), e);
        }
    }

    /** Stores the issued chain (leaf first) beside the key, replacing the placeholder. */
    public synchronized void storeChain(String alias, List<X509Certificate> chain) {
        try {
            PrivateKey key = (PrivateKey) store.getKey(alias, null);
            store.setKeyEntry(alias, key, null, chain.toArray(Certificate[]::new));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot store the certificate chain of " + alias + " on " + description + ": " + e.getMessage(), e);
        }
    }

    public synchronized List<X509Certificate> chain(String alias) {
        try {
            Certificate[] c = store.getCertificateChain(alias);
            if (c == null) return List.of();
            return Arrays.stream(c).map(X509Certificate.class::cast).toList();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the chain of " + alias + " from " + description + ": " + e.getMessage(), e);
        }
    }

    private record TokenKey(PrivateKey privateKey, PublicKey publicKey, Provider tokenProvider, String location) implements DeviceKey {
        @Override
        public Optional<Provider> provider() {
            return Optional.of(tokenProvider);
        }

        @Override
        public String toString() {
            return "DeviceKey[" + location + "]";
        }
    }
}
