package dev.holdfast.server.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.device.CertificateRenewal;
import dev.holdfast.device.Certificates;
import dev.holdfast.device.DeviceIdentity;
import dev.holdfast.device.DeviceKey;
import dev.holdfast.device.EstClient;
import dev.holdfast.device.SoftwareKeys;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.IssuanceRequest;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.RevocationReason;
import dev.holdfast.pki.SubjectAuthorization;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device SDK's EST client renewing a device certificate against a real Holdfast server: the
 * current certificate authenticates the TLS connection, the reply is parsed from PKCS#7 and becomes
 * the identity for the next renewal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EstReenrollmentIT {
    HoldfastServer server;
    List<X509Certificate> trust;
    URI base;

    @BeforeAll
    void start(@TempDir Path dir) {
        server = TestServers.start(dir.resolve("data"));
        trust = Certificates.readPem(dir.resolve("data/bootstrap/trust-bundle.pem"));
        base = URI.create("https://127.0.0.1:" + server.httpsPort());
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
    }

    DeviceIdentity issued(String cn, DeviceKey key) throws Exception {
        return issued(cn, key, Optional.empty());
    }

    DeviceIdentity issued(String cn, DeviceKey key, Optional<java.time.Duration> validity) throws Exception {
        IssuedCertificate c = server.pki().ca().issue(new IssuanceRequest(Bytes.wrapOwned(Certificates.csr(key, cn)), Profile.DEVICE,
                SubjectAuthorization.device(cn), validity, "EstReenrollmentIT"));
        List<X509Certificate> chain = new ArrayList<>(List.of(Certificates.fromDer(c.der().toArray())));
        chain.addAll(server.pki().ca().chain(c.caName()));
        return new DeviceIdentity(key, chain.subList(0, chain.size()));
    }

    @Test
    void reenroll_issuesACertificateForTheNewKeyWithTheSameSubject_thatChainsToTheTrustBundle_andRenewsAgain() throws Exception {
        DeviceIdentity current = issued("meter-9", SoftwareKeys.generateP256());
        EstClient est = new EstClient(base, trust);

        DeviceKey next = SoftwareKeys.generateP256();
        DeviceIdentity renewed = est.reenroll(current, next);
        assertThat(renewed.commonName()).isEqualTo("meter-9");
        assertThat(renewed.leaf().getPublicKey()).isEqualTo(next.publicKey());
        assertThat(renewed.leaf().getSerialNumber()).isNotEqualTo(current.leaf().getSerialNumber());
        assertValidChain(renewed);
        assertThat(EstClient.renewalDue(renewed.leaf(), Instant.now(), 2.0 / 3)).isFalse();
        assertThat(EstClient.renewalDue(renewed.leaf(), renewed.leaf().getNotAfter().toInstant().minusSeconds(1), 2.0 / 3)).isTrue();

        // The renewed identity authenticates the next renewal itself.
        DeviceIdentity again = est.reenroll(renewed, SoftwareKeys.generateP256());
        assertThat(again.commonName()).isEqualTo("meter-9");
        assertValidChain(again);
    }

    @Test
    void renewal_replacesAShortLivedCertificateBeforeItExpires() throws Exception {
        DeviceIdentity first = issued("sensor-77", SoftwareKeys.generateP256(), Optional.of(java.time.Duration.ofSeconds(16)));
        java.util.concurrent.LinkedBlockingQueue<DeviceIdentity> renewed = new java.util.concurrent.LinkedBlockingQueue<>();
        try (CertificateRenewal renewal = CertificateRenewal.start(new EstClient(base, trust), first, SoftwareKeys::generateP256, 0.5, renewed::add)) {
            DeviceIdentity next = renewed.poll(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(next).as("renewed within 30 s (failures: %d)", renewal.failures()).isNotNull();
            assertThat(Instant.now()).as("renewed before the old certificate expired").isBefore(first.leaf().getNotAfter().toInstant());
            assertThat(next.commonName()).isEqualTo("sensor-77");
            assertThat(next.leaf().getNotAfter()).isAfter(first.leaf().getNotAfter());
            assertThat(renewal.current()).isSameAs(next);
            assertValidChain(next);
        }
    }

    @Test
    void reenroll_withARevokedCertificate_isRefused() throws Exception {
        DeviceIdentity current = issued("meter-10", SoftwareKeys.generateP256());
        server.pki().ca().revoke(current.leaf().getSerialNumber().toString(16), RevocationReason.KEY_COMPROMISE, "EstReenrollmentIT");
        EstClient est = new EstClient(base, trust);
        try {
            est.reenroll(current, SoftwareKeys.generateP256());
            throw new AssertionError("a revoked certificate renewed");
        } catch (IOException e) {
            assertThat(e.getMessage()).contains("403");
        }
    }

    void assertValidChain(DeviceIdentity id) throws Exception {
        Set<TrustAnchor> anchors = new java.util.HashSet<>();
        for (X509Certificate t : trust) anchors.add(new TrustAnchor(t, null));
        PKIXParameters params = new PKIXParameters(anchors);
        params.setRevocationEnabled(false);
        List<X509Certificate> path = id.chain().stream().filter(c -> !c.getSubjectX500Principal().equals(c.getIssuerX500Principal())).toList();
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    }
}
