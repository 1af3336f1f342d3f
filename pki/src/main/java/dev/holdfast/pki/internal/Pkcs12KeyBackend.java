package dev.holdfast.pki.internal;

import dev.holdfast.pki.KeyAlgorithm;
import dev.holdfast.pki.spi.KeyBackend;
import dev.holdfast.pki.spi.Signer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * CA keys in one encrypted PKCS#12 file. The JDK writes PKCS#12 with PBES2 (PBKDF2-HMAC-SHA256,
 * AES-256-CBC) and an HMAC-SHA256 integrity MAC since JDK 12; the passphrase comes from a file or the
 * environment, never a command line. The file is rewritten atomically with mode 0600.
 */
public final class Pkcs12KeyBackend implements KeyBackend {
    private final Path file;
    private final char[] passphrase;
    private final KeyStore store;

    public Pkcs12KeyBackend(Path file, char[] passphrase) {
        this.file = file;
        this.passphrase = passphrase.clone();
        try {
            store = KeyStore.getInstance("PKCS12");
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    store.load(in, this.passphrase);
                }
            } else {
                store.load(null, null);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot open CA key store " + file + ": " + rootMessage(e)
                    + " (wrong passphrase, or a damaged file)", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot open CA key store " + file + ": " + e.getMessage(), e);
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage();
    }

    @Override
    public synchronized Signer generate(String alias, KeyAlgorithm algorithm) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm.jcaAlgorithm());
            g.initialize(new ECGenParameterSpec(algorithm.curve()));
            KeyPair kp = g.generateKeyPair();
            JcaSigner signer = new JcaSigner(kp.getPrivate(), kp.getPublic(), algorithm.signatureAlgorithm(), null, location(alias));
            X509Certificate placeholder = Placeholders.selfSigned(alias, kp.getPublic(), signer.contentSigner());
            store.setKeyEntry(alias, kp.getPrivate(), passphrase, new Certificate[]{placeholder});
            save();
            return signer;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate " + algorithm + " key " + alias + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized Optional<Signer> load(String alias) {
        try {
            if (!store.isKeyEntry(alias)) return Optional.empty();
            PrivateKey key = (PrivateKey) store.getKey(alias, passphrase);
            X509Certificate cert = (X509Certificate) store.getCertificate(alias);
            return Optional.of(new JcaSigner(key, cert.getPublicKey(), signatureAlgorithmFor(cert), null, location(alias)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load key " + alias + " from " + file + ": " + e.getMessage(), e);
        }
    }

    static String signatureAlgorithmFor(X509Certificate cert) {
        var params = ((java.security.interfaces.ECKey) cert.getPublicKey()).getParams();
        return params.getCurve().getField().getFieldSize() > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
    }

    @Override
    public synchronized void attachCertificateChain(String alias, X509Certificate[] chain) {
        try {
            PrivateKey key = (PrivateKey) store.getKey(alias, passphrase);
            if (key == null) throw new IllegalArgumentException("alias: " + alias + " (no such key in " + file + ")");
            store.setKeyEntry(alias, key, passphrase, chain);
            save();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot store certificate chain for " + alias + ": " + e.getMessage(), e);
        }
    }

    private void save() {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(tmp)) {
                store.store(out, passphrase);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write CA key store " + file + ": " + e.getMessage(), e);
        }
    }

    private String location(String alias) {
        return "pkcs12:" + file + "#" + alias;
    }

    @Override
    public String describe() {
        return "pkcs12:" + file;
    }

    @Override
    public void close() {
        Arrays.fill(passphrase, '\0');
    }
}
