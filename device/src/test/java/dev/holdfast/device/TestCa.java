package dev.holdfast.device;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/** A throw-away CA for tests that must certify a key they did not generate (a CSR's, a token's). */
public final class TestCa {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private final DeviceKey key = SoftwareKeys.generateP256();
    private final X509Certificate certificate;

    public TestCa(String name) {
        try {
            Instant now = Instant.now();
            X500Principal subject = new X500Principal("CN=" + name);
            var b = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(Duration.ofDays(1))), subject, key.publicKey());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            certificate = new JcaX509CertificateConverter().getCertificate(b.build(Certificates.signer(key)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public X509Certificate issue(PublicKey subjectKey, String cn, Duration validity) {
        try {
            Instant now = Instant.now();
            var b = new JcaX509v3CertificateBuilder(certificate.getSubjectX500Principal(), BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(validity)), new X500Principal("CN=" + cn), subjectKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(Certificates.signer(key)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh software identity issued by this CA. */
    public DeviceIdentity identity(String cn) {
        DeviceKey k = SoftwareKeys.generateP256();
        return new DeviceIdentity(k, List.of(issue(k.publicKey(), cn, Duration.ofDays(1)), certificate));
    }
}
