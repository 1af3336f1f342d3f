package dev.holdfast.pki.est;

import dev.holdfast.pki.PkiFixture;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.Refusal;
import dev.holdfast.pki.RefusedException;
import dev.holdfast.pki.RevocationReason;
import dev.holdfast.testing.FakeClock;
import dev.holdfast.testing.TestDatabases;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EstServiceTest {
    @TempDir
    Path dir;
    FakeClock clock = FakeClock.startingNow();
    PkiFixture f;
    EstService est;

    @BeforeEach
    void setUp() {
        f = PkiFixture.create(dir, TestDatabases.Kind.SQLITE, clock, List.of());
        est = f.pki.est();
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    static KeyPair key() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static byte[] csrBody(KeyPair kp, String subject) throws Exception {
        byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        return Base64.getMimeEncoder().encode(der);
    }

    static X509Certificate single(byte[] certsOnlyBase64) throws Exception {
        CMSSignedData cms = new CMSSignedData(Base64.getMimeDecoder().decode(certsOnlyBase64));
        var certs = cms.getCertificates().getMatches(null);
        assertThat(certs).hasSize(1);
        return new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) certs.iterator().next());
    }

    private String token(String cn) {
        return f.pki.tokens().create(cn, Optional.of(cn), Profile.DEVICE, Duration.ofHours(1), "admin").token();
    }

    private RefusedException refusal(Runnable r) {
        try {
            r.run();
        } catch (RefusedException e) {
            return e;
        }
        throw new AssertionError("expected a refusal");
    }

    @Test
    void simpleEnroll_withTokenIssuesForTheTokensIdentity_andTheTokenWorksOnce() throws Exception {
        String token = token("meter-7");
        KeyPair kp = key();
        X509Certificate cert = single(est.simpleEnroll(csrBody(kp, "CN=meter-7"), new EstCredential.BootstrapToken(token), "127.0.0.1"));
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=meter-7");
        assertThat(cert.getPublicKey()).isEqualTo(kp.getPublic());
        long stored = f.certificateCount();
        RefusedException again = refusal(() -> est.simpleEnroll(uncheckedCsr("CN=meter-7"), new EstCredential.BootstrapToken(token), "127.0.0.1"));
        assertThat(again.refusal().code()).isEqualTo("token-used");
        assertThat(f.certificateCount()).isEqualTo(stored);
        assertThat(f.events("est.enroll.refused")).hasSize(1);
        assertThat(f.events("est.enroll")).extracting(e -> e.event().activity()).contains("est.enroll");
    }

    private static byte[] uncheckedCsr(String subject) {
        try {
            return csrBody(key(), subject);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void simpleEnroll_refusesWrongExpiredOrMissingTokens_storingNothing() {
        long before = f.certificateCount();
        assertThat(refusal(() -> est.simpleEnroll(uncheckedCsr("CN=x"), new EstCredential.BootstrapToken("hfb_wrong"), "s")).refusal().kind())
                .isEqualTo(Refusal.Kind.UNAUTHENTICATED);
        String t = token("late");
        clock.advance(Duration.ofHours(2));
        assertThat(refusal(() -> est.simpleEnroll(uncheckedCsr("CN=late"), new EstCredential.BootstrapToken(t), "s")).refusal().code())
                .isEqualTo("token-expired");
        assertThat(refusal(() -> est.simpleEnroll(uncheckedCsr("CN=x"), new EstCredential.None(), "s")).refusal().code())
                .isEqualTo("no-credential");
        assertThat(f.certificateCount()).isEqualTo(before);
        assertThat(f.events("est.enroll.refused")).hasSize(3);
    }

    @Test
    void simpleEnroll_refusesSubjectMismatchAndMalformedCsr_withoutBurningTheToken() {
        String t = token("cam-1");
        assertThat(refusal(() -> est.simpleEnroll(uncheckedCsr("CN=cam-2"), new EstCredential.BootstrapToken(t), "s")).refusal().code())
                .isEqualTo("subject-mismatch");
        assertThat(refusal(() -> est.simpleEnroll("not base64 at all!".getBytes(StandardCharsets.US_ASCII), new EstCredential.BootstrapToken(t), "s"))
                .refusal().code()).isEqualTo("malformed-csr");
        assertThat(refusal(() -> est.simpleEnroll(Base64.getEncoder().encode(new byte[]{0x30, 0x05, 1, 2}), new EstCredential.BootstrapToken(t), "s"))
                .refusal().code()).isEqualTo("malformed-csr");
        // The token is still good for a correct request.
        est.simpleEnroll(uncheckedCsr("CN=cam-1"), new EstCredential.BootstrapToken(t), "s");
    }

    @Test
    void simpleReenroll_renewsWithTheSameSubject_andRefusesRevokedExpiredOrMismatched() throws Exception {
        KeyPair kp = key();
        X509Certificate first = single(est.simpleEnroll(csrBody(kp, "CN=plc-3"), new EstCredential.BootstrapToken(token("plc-3")), "s"));
        var cred = new EstCredential.ClientCertificate(List.of(first));
        X509Certificate second = single(est.simpleReenroll(csrBody(key(), "CN=plc-3"), cred, "s"));
        assertThat(second.getSubjectX500Principal()).isEqualTo(first.getSubjectX500Principal());
        assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());

        assertThat(refusal(() -> est.simpleReenroll(uncheckedCsr("CN=plc-4"), new EstCredential.ClientCertificate(List.of(second)), "s"))
                .refusal().code()).isEqualTo("subject-mismatch");
        f.pki.ca().revoke(second.getSerialNumber().toString(16), RevocationReason.KEY_COMPROMISE, "t");
        assertThat(refusal(() -> est.simpleReenroll(uncheckedCsr("CN=plc-3"), new EstCredential.ClientCertificate(List.of(second)), "s"))
                .refusal().code()).isEqualTo("certificate-revoked");
        clock.advance(Duration.ofDays(400));
        assertThat(refusal(() -> est.simpleReenroll(uncheckedCsr("CN=plc-3"), cred, "s")).refusal().code()).isEqualTo("certificate-expired");
        assertThat(refusal(() -> est.simpleReenroll(uncheckedCsr("CN=plc-3"), new EstCredential.None(), "s")).refusal().code())
                .isEqualTo("no-client-certificate");
        assertThat(f.events("est.reenroll.refused")).hasSize(4);
    }

    @Test
    void simpleEnroll_withAManufacturerCertificateIssuesForItsCommonName_andRefusesUnknownManufacturers() throws Exception {
        var manufacturer = dev.holdfast.testing.TestCertificates.newRoot("Acme Sensors Manufacturing CA");
        var idevid = manufacturer.issueClient("sensor-42");
        var stranger = dev.holdfast.testing.TestCertificates.newRoot("Unknown Factory CA").issueClient("sensor-42");
        try (PkiFixture g = PkiFixture.create(dir.resolve("m"), TestDatabases.Kind.SQLITE, clock, List.of(manufacturer.certificate()))) {
            EstService withMaker = g.pki.est();
            KeyPair kp = key();
            X509Certificate cert = single(withMaker.simpleEnroll(csrBody(kp, "CN=sensor-42"),
                    new EstCredential.ClientCertificate(idevid.chain()), "s"));
            assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=sensor-42");
            assertThat(cert.getPublicKey()).isEqualTo(kp.getPublic());

            long stored = g.certificateCount();
            RefusedException unknown = refusal(() -> withMaker.simpleEnroll(uncheckedCsr("CN=sensor-42"),
                    new EstCredential.ClientCertificate(stranger.chain()), "s"));
            assertThat(unknown.refusal().code()).isEqualTo("untrusted-certificate");
            RefusedException other = refusal(() -> withMaker.simpleEnroll(uncheckedCsr("CN=sensor-43"),
                    new EstCredential.ClientCertificate(idevid.chain()), "s"));
            assertThat(other.refusal().code()).isEqualTo("subject-mismatch");
            assertThat(g.certificateCount()).isEqualTo(stored);
        }
        // Without any trusted manufacturer, certificate-based enrollment is refused outright.
        assertThat(refusal(() -> est.simpleEnroll(uncheckedCsr("CN=sensor-42"), new EstCredential.ClientCertificate(idevid.chain()), "s"))
                .refusal().code()).isEqualTo("no-manufacturer-ca");
    }

    @Test
    void caCertificatesAndCsrAttributes_areWellFormed() throws Exception {
        CMSSignedData cms = new CMSSignedData(Base64.getMimeDecoder().decode(est.caCertificates(Optional.empty())));
        assertThat(cms.getCertificates().getMatches(null)).hasSize(2);
        assertThat(Base64.getMimeDecoder().decode(est.csrAttributes())[0]).isEqualTo((byte) 0x30);
        assertThatThrownBy(() -> est.caCertificates(Optional.of("nope"))).isInstanceOf(RefusedException.class);
    }

    @Test
    void bootstrapTokens_areStoredOnlyAsHashes() {
        String t = token("hashed");
        String stored = f.db.withConnection(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT token_hash FROM est_bootstrap_token")) {
                rs.next();
                return rs.getString(1);
            }
        });
        assertThat(stored).isNotEqualTo(t).doesNotContain(t.substring(4, 20)).isEqualTo(BootstrapTokens.hash(t));
    }
}
