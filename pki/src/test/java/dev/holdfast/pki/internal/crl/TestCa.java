package dev.holdfast.pki.internal.crl;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * A self-signed CA made with the JDK's providers, for the CRL tests only. The shared test CA of the
 * {@code testing} module does not exist yet; move to it once it does.
 */
record TestCa(KeyPair keyPair, String signatureAlgorithm, X509CertificateHolder certificate) {

    static TestCa ecP256() {
        return create("EC", new ECGenParameterSpec("secp256r1"), "SHA256withECDSA");
    }

    static TestCa rsa2048() {
        return create("RSA", null, "SHA256withRSA");
    }

    private static TestCa create(String keyAlgorithm, ECGenParameterSpec spec, String signatureAlgorithm) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(keyAlgorithm);
            if (spec != null) {
                generator.initialize(spec);
            } else {
                generator.initialize(2048);
            }
            KeyPair keyPair = generator.generateKeyPair();
            X500Name name = new X500Name("CN=Holdfast Test CRL Issuer " + keyAlgorithm + ",O=Holdfast");
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), name,
                    keyPair.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    utils.createSubjectKeyIdentifier(keyPair.getPublic()));
            X509CertificateHolder certificate = builder.build(
                    new JcaContentSignerBuilder(signatureAlgorithm).build(keyPair.getPrivate()));
            return new TestCa(keyPair, signatureAlgorithm, certificate);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("creating a test CA", e);
        }
    }

    ContentSigner signer() {
        try {
            return new JcaContentSignerBuilder(signatureAlgorithm).build(keyPair.getPrivate());
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    ContentVerifierProvider verifier() {
        try {
            return new JcaContentVerifierProviderBuilder().build(keyPair.getPublic());
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    StreamingCrlWriter writer() {
        return StreamingCrlWriter.forIssuer(certificate);
    }

    String certificatePem() {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
