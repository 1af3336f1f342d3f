package dev.holdfast.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * Throw-away P-256 certificates for tests that need real TLS on loopback: a root, and server or
 * client leaves issued by it. Made with BouncyCastle on the JDK provider, valid from an hour ago for a
 * day. Not a CA: for the product's issuance rules use the PKI module's own test fixtures.
 */
public final class TestCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestCertificates() {
    }

    /** A key and its chain, leaf first. */
    public record Issued(PrivateKey key, X509Certificate certificate, List<X509Certificate> chain) {
        public Issued {
            chain = List.copyOf(chain);
        }

        public X509Certificate[] chainArray() {
            return chain.toArray(X509Certificate[]::new);
        }
    }

    /** A self-signed root that issues leaves. */
    public static final class Root {
        private final KeyPair keys;
        private final X509Certificate certificate;

        private Root(KeyPair keys, X509Certificate certificate) {
            this.keys = keys;
            this.certificate = certificate;
        }

        public X509Certificate certificate() {
            return certificate;
        }

        /**
         * A TLS server certificate for {@code names}: each is a DNS name or an IP literal (put in the
         * subject alternative name as such). The first name is also the subject CN.
         */
        public Issued issueServer(String... names) {
            return issue(names, KeyPurposeId.id_kp_serverAuth);
        }

        /** A TLS client certificate with subject CN {@code commonName}. */
        public Issued issueClient(String commonName) {
            return issue(new String[]{commonName}, KeyPurposeId.id_kp_clientAuth);
        }

        private Issued issue(String[] names, KeyPurposeId purpose) {
            if (names.length == 0) throw new IllegalArgumentException("names: none (expected: at least one)");
            try {
                KeyPair leaf = newKeyPair();
                Instant now = Instant.now();
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                        new X500Name(certificate.getSubjectX500Principal().getName()), serial(),
                        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))),
                        new X500Name("CN=" + names[0]), leaf.getPublic());
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(leaf.getPublic()));
                b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
                if (purpose == KeyPurposeId.id_kp_serverAuth) {
                    List<GeneralName> sans = new ArrayList<>();
                    for (String n : names) {
                        boolean ip = n.matches("[0-9.]+") || n.contains(":");
                        sans.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n));
                    }
                    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
                }
                X509Certificate cert = sign(b, keys.getPrivate());
                return new Issued(leaf.getPrivate(), cert, List.of(cert, certificate));
            } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException e) {
                throw new IllegalStateException("cannot issue a test certificate: " + e.getMessage(), e);
            }
        }
    }

    /** A fresh self-signed root CA with subject {@code CN=<commonName>}. */
    public static Root newRoot(String commonName) {
        try {
            KeyPair keys = newKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=" + commonName);
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            return new Root(keys, sign(b, keys.getPrivate()));
        } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot make a test root: " + e.getMessage(), e);
        }
    }

    /** Writes certificates as concatenated PEM blocks (what {@code curl --cacert} and {@code openssl -CAfile} read). */
    public static Path writePem(Path file, X509Certificate... certificates) {
        StringBuilder sb = new StringBuilder();
        Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        try {
            for (X509Certificate c : certificates) {
                sb.append("-----BEGIN CERTIFICATE-----\n").append(b64.encodeToString(c.getEncoded())).append("\n-----END CERTIFICATE-----\n");
            }
            Files.writeString(file, sb.toString(), StandardCharsets.US_ASCII);
            return file;
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a private key as unencrypted PKCS#8 PEM (what {@code curl --key} reads). */
    public static Path writeKeyPem(Path file, PrivateKey key) {
        Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        try {
            Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n",
                    StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey)
            throws GeneralSecurityException, org.bouncycastle.operator.OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }
}
