package dev.holdfast.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * A device maker's CA for tests: issues IDevIDs (with any validity), intermediates, the proof-of-
 * possession certificate, and CRLs. EC P-256 keys, BouncyCastle on the JDK provider.
 */
public final class TestManufacturerCa {
    private static final SecureRandom RANDOM = new SecureRandom();
    public final KeyPair keys;
    public final X509Certificate certificate;
    private final TestManufacturerCa parent;

    private TestManufacturerCa(KeyPair keys, X509Certificate certificate, TestManufacturerCa parent) {
        this.keys = keys;
        this.certificate = certificate;
        this.parent = parent;
    }

    public static TestManufacturerCa root(String cn) {
        KeyPair k = newKeyPair();
        return new TestManufacturerCa(k, cert(cn, k.getPublic(), "CN=" + cn, k.getPrivate(), null, true, Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(30))), null);
    }

    public TestManufacturerCa intermediate(String cn) {
        KeyPair k = newKeyPair();
        return new TestManufacturerCa(k, cert(cn, k.getPublic(), name(), keys.getPrivate(), certificate, true, Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(30))), this);
    }

    /** An IDevID: key and chain (leaf, then issuers up to and including the root). */
    public record Device(KeyPair keys, List<X509Certificate> chain) {
        public X509Certificate leaf() {
            return chain.get(0);
        }
    }

    public Device device(String cn) {
        return device(cn, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(30)));
    }

    public Device device(String cn, Instant notBefore, Instant notAfter) {
        KeyPair k = newKeyPair();
        X509Certificate leaf = cert(cn, k.getPublic(), name(), keys.getPrivate(), certificate, false, notBefore, notAfter);
        java.util.ArrayList<X509Certificate> chain = new java.util.ArrayList<>();
        chain.add(leaf);
        for (TestManufacturerCa c = this; c != null; c = c.parent) chain.add(c.certificate);
        return new Device(k, List.copyOf(chain));
    }

    /** The proof-of-possession certificate: CN = the verification code, signed by this CA's key. */
    public X509Certificate proof(String code) {
        return cert(code, newKeyPair().getPublic(), name(), keys.getPrivate(), certificate, false, Instant.now().minus(Duration.ofMinutes(5)),
                Instant.now().plus(Duration.ofDays(1)));
    }

    public X509CRL crl(X509Certificate... revoked) {
        try {
            Instant now = Instant.now();
            X509v2CRLBuilder b = new X509v2CRLBuilder(new X500Name(name()), Date.from(now.minus(Duration.ofMinutes(1))));
            b.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
            for (X509Certificate c : revoked) b.addCRLEntry(c.getSerialNumber(), Date.from(now.minus(Duration.ofMinutes(1))), CRLReason.keyCompromise);
            return new JcaX509CRLConverter().getCRL(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String name() {
        return certificate.getSubjectX500Principal().getName();
    }

    /** A PKCS#10 request (DER) with subject CN {@code cn}, signed by {@code keys}. */
    public static byte[] csr(String cn, KeyPair keys) {
        try {
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + cn), keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate cert(String cn, java.security.PublicKey subjectKey, String issuer, PrivateKey issuerKey, X509Certificate issuerCert,
                                        boolean ca, Instant notBefore, Instant notAfter) {
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer), new BigInteger(64, RANDOM).setBit(63),
                    Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + cn), subjectKey);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, ca ? new BasicConstraints(1) : new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
            if (!ca) b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
            if (issuerCert != null) b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerCert));
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test certificate: " + e.getMessage(), e);
        }
    }
}
