package dev.holdfast.pki.internal;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** The self-signed stand-in a key store needs to hold a key whose real certificate does not exist yet. */
final class Placeholders {
    private Placeholders() {
    }

    static X509Certificate selfSigned(String alias, PublicKey publicKey, ContentSigner signer) {
        try {
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=placeholder for " + alias.replaceAll("[,+=\"\\\\<>;]", "_"));
            var b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now), Date.from(now.plus(Duration.ofDays(1))), name, publicKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException("cannot create placeholder certificate for " + alias, e);
        }
    }
}
