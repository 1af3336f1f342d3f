package dev.holdfast.pki;

import dev.holdfast.testing.FakeClock;
import dev.holdfast.testing.TestDatabases;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ExpiryWarningTest {
    @TempDir
    Path dir;

    @Test
    void warnExpiring_emitsOneEventPerCertificateOnceItEntersTheWarningWindow() throws Exception {
        FakeClock clock = FakeClock.startingNow();
        try (PkiFixture f = PkiFixture.create(dir, TestDatabases.Kind.SQLITE, clock, List.of())) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=old-meter"), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
            IssuedCertificate c = f.pki.ca().issue(new IssuanceRequest(Bytes.wrapOwned(csr), Profile.DEVICE,
                    SubjectAuthorization.device("old-meter"), Optional.of(Duration.ofDays(100)), "t"));

            byte[] csr2 = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=short"), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
            IssuedCertificate shortLived = f.pki.ca().issue(new IssuanceRequest(Bytes.wrapOwned(csr2), Profile.DEVICE,
                    SubjectAuthorization.device("short"), Optional.of(Duration.ofDays(9)), "t"));

            assertThat(f.pki.ca().warnExpiring()).as("nothing is expiring at issuance, not even a 9-day certificate").isZero();
            clock.advance(Duration.ofDays(6).plusHours(2)); // past two thirds of the 9-day certificate
            assertThat(f.pki.ca().warnExpiring()).isEqualTo(1);
            clock.advance(Duration.ofDays(65)); // the 100-day certificate has 29 days left, inside the 30-day window
            assertThat(f.pki.ca().warnExpiring()).isEqualTo(1);
            assertThat(f.pki.ca().warnExpiring()).isZero();
            assertThat(f.events("certificate.expiring")).extracting(e -> e.event().details().get("serial"))
                    .containsExactly(shortLived.serialHex(), c.serialHex());
        }
    }
}
