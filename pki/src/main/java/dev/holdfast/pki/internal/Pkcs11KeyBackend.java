package dev.holdfast.pki.internal;

import dev.holdfast.pki.KeyAlgorithm;
import dev.holdfast.pki.spi.KeyBackend;
import dev.holdfast.pki.spi.Signer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * CA keys on a PKCS#11 token (an HSM; SoftHSM2 in tests) through the JDK's SunPKCS11 provider. Keys
 * are generated on the token as sensitive, non-extractable token objects: signing happens inside the
 * token and the private key never enters this process.
 */
public final class Pkcs11KeyBackend implements KeyBackend {
    private final Provider provider;
    private final KeyStore store;
    private final String description;

    /**
     * @param library       the PKCS#11 module, e.g. {@code /usr/lib/softhsm/libsofthsm2.so}
     * @param slotId        the token's slot id, or -1 to use {@code slotListIndex}
     * @param slotListIndex index into the list of slots with a token (used when slotId is -1)
     * @param pin           the user PIN, read from a file by the caller
     */
    public Pkcs11KeyBackend(Path library, long slotId, int slotListIndex, char[] pin) {
        if (!Files.isRegularFile(library)) {
            throw new IllegalArgumentException("pki.ca.pkcs11.library: " + library + " (expected: an existing PKCS#11 module)");
        }
        String slotLine = slotId >= 0 ? "slot = " + slotId : "slotListIndex = " + slotListIndex;
        String config = "--name = holdfast-" + (slotId >= 0 ? slotId : "i" + slotListIndex) + "\n"
                + "library = " + library + "\n" + slotLine + "\n"
                + "attributes(generate, CKO_PRIVATE_KEY, *) = {\n  CKA_TOKEN = true\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n"
                + "attributes(generate, CKO_PUBLIC_KEY, *) = {\n  CKA_TOKEN = true\n}\n";
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) throw new IllegalStateException("the JDK has no SunPKCS11 provider");
        this.provider = base.configure(config);
        this.description = "pkcs11:" + library.getFileName() + ";" + slotLine.replace(" ", "");
        try {
            store = KeyStore.getInstance("PKCS11", provider);
            store.load(null, pin);
        } catch (Exception e) {
            throw new IllegalStateException("cannot log in to PKCS#11 token (" + description + "): " + e.getMessage(), e);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    @Override
    public synchronized Signer generate(String alias, KeyAlgorithm algorithm) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm.jcaAlgorithm(), provider);
            g.initialize(new ECGenParameterSpec(algorithm.curve()));
            KeyPair kp = g.generateKeyPair();
            JcaSigner signer = new JcaSigner(kp.getPrivate(), kp.getPublic(), algorithm.signatureAlgorithm(), provider, location(alias));
            X509Certificate placeholder = Placeholders.selfSigned(alias, kp.getPublic(), signer.contentSigner());
            store.setKeyEntry(alias, kp.getPrivate(), null, new Certificate[]{placeholder});
            return load(alias).orElseThrow(() -> new IllegalStateException("key " + alias + " not found on the token after generation"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate " + algorithm + " key " + alias + " on " + description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized Optional<Signer> load(String alias) {
        try {
            if (!store.isKeyEntry(alias)) return Optional.empty();
            PrivateKey key = (PrivateKey) store.getKey(alias, null);
            X509Certificate cert = (X509Certificate) store.getCertificate(alias);
            return Optional.of(new JcaSigner(key, cert.getPublicKey(), Pkcs12KeyBackend.signatureAlgorithmFor(cert), provider, location(alias)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load key " + alias + " from " + description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void attachCertificateChain(String alias, X509Certificate[] chain) {
        try {
            PrivateKey key = (PrivateKey) store.getKey(alias, null);
            store.setKeyEntry(alias, key, null, chain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot store certificate chain for " + alias + " on " + description + ": " + e.getMessage(), e);
        }
    }

    private String location(String alias) {
        return description + "#" + alias;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        // SunPKCS11 keeps the session for the life of the provider; nothing to release per backend.
    }
}
