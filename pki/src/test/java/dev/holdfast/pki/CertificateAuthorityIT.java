package dev.holdfast.pki;

import dev.holdfast.testing.TestDatabases;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509CRLHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CA judged by {@code openssl}: chains verify, extensions are as the profile says, CRLs and OCSP answers check out. */
class CertificateAuthorityIT {
    @TempDir
    Path dir;
    PkiFixture f;
    OpenSsl openssl;

    @BeforeEach
    void setUp() {
        openssl = new OpenSsl(dir);
        f = PkiFixture.sqlite(dir);
        f.write("root.pem", PkiFixture.pem(f.pki.ca().caCertificate("root")));
        f.write("devices.pem", PkiFixture.pem(f.pki.ca().caCertificate("devices")));
        f.write("infrastructure.pem", PkiFixture.pem(f.pki.ca().caCertificate("infrastructure")));
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private IssuedCertificate issueDevice(String name) {
        byte[] csr = openssl.csr(name, "ec:P-256", "/CN=" + name);
        IssuedCertificate c = f.pki.ca().issue(new IssuanceRequest(Bytes.copyOf(csr), Profile.DEVICE,
                SubjectAuthorization.device(name), Optional.empty(), "test"));
        f.write(name + ".pem", PkiFixture.pem(c.der().toArray()));
        return c;
    }

    @Test
    void issue_deviceChainVerifiesWithOpensslAgainstTheTrustBundle() {
        issueDevice("dev-1");
        var run = openssl.run("verify", "-CAfile", "root.pem", "-untrusted", "devices.pem", "-purpose", "sslclient", "dev-1.pem");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.stdout()).contains("dev-1.pem: OK");
    }

    @Test
    void issue_deviceProfileHasTheExpectedExtensions() {
        IssuedCertificate c = issueDevice("dev-ext");
        String text = openssl.run("x509", "-in", "dev-ext.pem", "-noout", "-text").assertSuccess("x509").stdout();
        assertThat(text)
                .contains("Subject: CN = dev-ext")
                .contains("Issuer: O = Holdfast, CN = Holdfast Devices CA")
                .contains("X509v3 Basic Constraints: critical", "CA:FALSE")
                .contains("X509v3 Key Usage: critical", "Digital Signature")
                .contains("X509v3 Extended Key Usage:", "TLS Web Client Authentication")
                .contains("X509v3 Subject Key Identifier")
                .contains("X509v3 Authority Key Identifier")
                .contains("URI:https://127.0.0.1:8443/pki/crl/devices.crl")
                .contains("OCSP - URI:https://127.0.0.1:8443/pki/ocsp/devices")
                .contains("CA Issuers - URI:https://127.0.0.1:8443/pki/ca/devices.crt")
                .doesNotContain("TLS Web Server Authentication");
        assertThat(c.serial().bitLength()).isGreaterThan(100);
        assertThat(c.profile()).isEqualTo(Profile.DEVICE);
    }

    @Test
    void issue_serverProfileTakesSansFromAuthorizationNotFromCsr() {
        byte[] csr = openssl.csr("srv", "ec:P-384", "/CN=evil.example/O=Attacker");
        IssuedCertificate c = f.pki.ca().issue(new IssuanceRequest(Bytes.copyOf(csr), Profile.SERVER,
                SubjectAuthorization.server("hub.example.test", List.of("hub.example.test", "localhost"), List.of("127.0.0.1", "::1")),
                Optional.empty(), "test"));
        f.write("srv.pem", PkiFixture.pem(c.der().toArray()));
        String text = openssl.run("x509", "-in", "srv.pem", "-noout", "-text").assertSuccess("x509").stdout();
        assertThat(text).contains("Subject: CN = hub.example.test").doesNotContain("evil").doesNotContain("Attacker")
                .contains("DNS:hub.example.test", "DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1")
                .contains("TLS Web Server Authentication")
                .contains("Issuer: O = Holdfast, CN = Holdfast Infrastructure CA");
        var run = openssl.run("verify", "-CAfile", "root.pem", "-untrusted", "infrastructure.pem", "-purpose", "sslserver", "srv.pem");
        assertThat(run.exitCode()).as(run.output()).isZero();
    }

    @Test
    void issue_acceptsRsa2048AndEd25519Keys() {
        for (String spec : List.of("rsa:2048", "ed25519")) {
            String name = "k" + spec.replace(":", "");
            byte[] csr = openssl.csr(name, spec, "/CN=" + name);
            IssuedCertificate c = f.pki.ca().issue(new IssuanceRequest(Bytes.copyOf(csr), Profile.SENSOR,
                    SubjectAuthorization.server(name, List.of(), List.of()), Optional.empty(), "test"));
            f.write(name + ".pem", PkiFixture.pem(c.der().toArray()));
            var run = openssl.run("verify", "-CAfile", "root.pem", "-untrusted", "infrastructure.pem", name + ".pem");
            assertThat(run.exitCode()).as(run.output()).isZero();
        }
    }

    @Test
    void issue_refusesWeakKeysAndBrokenProofOfPossession() {
        byte[] weak = openssl.csr("weak", "rsa:1024", "/CN=weak");
        assertThatThrownBy(() -> f.pki.ca().issue(new IssuanceRequest(Bytes.copyOf(weak), Profile.DEVICE, SubjectAuthorization.device("weak"), Optional.empty(), "t")))
                .isInstanceOfSatisfying(RefusedException.class, e -> assertThat(e.refusal().code()).isEqualTo("key-too-weak"))
                .hasMessageContaining("1024").hasMessageContaining("2048");
        byte[] p521 = openssl.csr("p521", "ec:P-521", "/CN=p521");
        assertThatThrownBy(() -> f.pki.ca().issue(new IssuanceRequest(Bytes.copyOf(p521), Profile.DEVICE, SubjectAuthorization.device("p521"), Optional.empty(), "t")))
                .isInstanceOfSatisfying(RefusedException.class, e -> assertThat(e.refusal().code()).isEqualTo("key-algorithm-refused"));
        byte[] good = openssl.csr("tampered", "ec:P-256", "/CN=tampered");
        good[good.length - 5] ^= 0x55; // inside the signature
        assertThatThrownBy(() -> f.pki.ca().issue(new IssuanceRequest(Bytes.copyOf(good), Profile.DEVICE, SubjectAuthorization.device("tampered"), Optional.empty(), "t")))
                .isInstanceOf(RefusedException.class);
        assertThat(f.certificateCount()).isEqualTo(countOcspResponders());
    }

    private long countOcspResponders() {
        return f.pki.ca().search(CertificateFilter.all()).stream().filter(c -> c.profile() == Profile.OCSP_RESPONDER).count();
    }

    @Test
    void issue_capsValidityAtTheProfileMaximum() {
        byte[] csr = openssl.csr("long", "ec:P-256", "/CN=long");
        IssuedCertificate c = f.pki.ca().issue(new IssuanceRequest(Bytes.copyOf(csr), Profile.DEVICE, SubjectAuthorization.device("long"),
                Optional.of(Duration.ofDays(5000)), "t"));
        assertThat(Duration.between(c.notBefore(), c.notAfter())).isLessThanOrEqualTo(Duration.ofDays(365).plusMinutes(1));
        byte[] csr2 = openssl.csr("short", "ec:P-256", "/CN=short");
        IssuedCertificate s = f.pki.ca().issue(new IssuanceRequest(Bytes.copyOf(csr2), Profile.DEVICE, SubjectAuthorization.device("short"),
                Optional.of(Duration.ofDays(7)), "t"));
        assertThat(Duration.between(s.notBefore(), s.notAfter())).isBetween(Duration.ofDays(7), Duration.ofDays(7).plusMinutes(1));
    }

    @Test
    void issue_storesEveryCertificateSearchablyAndEmitsAnEvent() {
        IssuedCertificate c = issueDevice("dev-search");
        var ca = f.pki.ca();
        assertThat(ca.find(c.serialHex())).get().extracting(IssuedCertificate::sha256).isEqualTo(c.sha256());
        assertThat(ca.search(new CertificateFilter(null, Optional.of("dev-search"), null, null, null, null, 10, null))).hasSize(1);
        assertThat(ca.search(CertificateFilter.byDevice("dev-search"))).hasSize(1);
        assertThat(ca.search(new CertificateFilter(null, null, null, Optional.of(c.sha256().toUpperCase()), null, null, 10, null))).hasSize(1);
        assertThat(f.events("certificate.issued")).anySatisfy(e -> {
            assertThat(e.event().details()).containsEntry("serial", c.serialHex()).containsEntry("sha256", c.sha256());
            assertThat(e.event().deviceId()).contains("dev-search");
        });
        String fp = openssl.run("x509", "-in", "dev-search.pem", "-noout", "-fingerprint", "-sha256").assertSuccess("fp").stdout();
        assertThat(fp.replace(":", "").toLowerCase()).contains(c.sha256());
    }

    @Test
    void serials_areUniqueAndRandom() {
        Set<BigInteger> seen = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            byte[] csr = openssl.csr("s" + i, "ec:P-256", "/CN=s" + i);
            seen.add(f.pki.ca().issue(new IssuanceRequest(Bytes.copyOf(csr), Profile.DEVICE, SubjectAuthorization.device("s" + i), Optional.empty(), "t")).serial());
        }
        assertThat(seen).hasSize(30);
        assertThat(seen).allSatisfy(s -> assertThat(s.bitLength()).isBetween(100, 128));
    }

    @Test
    void revoke_listsSerialInCrlThatOpensslVerifies() throws Exception {
        IssuedCertificate c = issueDevice("dev-rev");
        List<IssuedCertificate> told = new CopyOnWriteArrayList<>();
        f.pki.ca().addRevocationListener(told::add);
        long t0 = System.nanoTime();
        f.pki.ca().revoke(c.serialHex(), RevocationReason.KEY_COMPROMISE, "test");
        assertThat(told).hasSize(1);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        assertThat(f.pki.ca().isRevoked(c.serial())).isTrue();
        f.pki.crls().flush();
        byte[] crl = f.pki.crls().crl("devices");
        f.write("devices.crl", crl);
        f.write("chain.pem", PkiFixture.pem(f.pki.ca().caCertificate("devices")) + PkiFixture.pem(f.pki.ca().caCertificate("root")));
        var verify2 = openssl.run("crl", "-inform", "DER", "-in", "devices.crl", "-CAfile", "chain.pem", "-noout", "-verify");
        assertThat(verify2.output()).contains("verify OK");
        String text = openssl.run("crl", "-inform", "DER", "-in", "devices.crl", "-noout", "-text").assertSuccess("crl").stdout();
        assertThat(text.toLowerCase().replace(":", "")).contains(c.serialHex());
        assertThat(text).contains("Key Compromise");
        assertThat(new X509CRLHolder(crl).getRevokedCertificate(c.serial())).isNotNull();
        // A verifier that checks CRLs now refuses the certificate.
        f.write("devices-crl.pem", "-----BEGIN X509 CRL-----\n" + java.util.Base64.getMimeEncoder().encodeToString(crl) + "\n-----END X509 CRL-----\n");
        var refused = openssl.run("verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "devices.pem", "-CRLfile", "devices-crl.pem", "dev-rev.pem");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.output()).contains("certificate revoked");
        assertThatThrownBy(() -> f.pki.ca().revoke(c.serialHex(), RevocationReason.SUPERSEDED, "test"))
                .isInstanceOfSatisfying(RefusedException.class, e -> assertThat(e.refusal().kind()).isEqualTo(Refusal.Kind.CONFLICT));
        assertThat(f.events("certificate.revoked")).hasSize(1);
        assertThat(CRLReason.keyCompromise).isEqualTo(RevocationReason.KEY_COMPROMISE.code());
    }

    @Test
    void ocsp_answersGoodThenRevokedAndOpensslVerifiesTheResponses() {
        IssuedCertificate c = issueDevice("dev-ocsp");
        assertThat(ocspStatus("dev-ocsp", true)).isEqualTo("good");
        assertThat(ocspStatus("dev-ocsp", false)).isEqualTo("good");
        assertThat(ocspStatus("dev-ocsp", false)).isEqualTo("good"); // served from the pre-signed cache
        assertThat(f.pki.ocsp().cacheHitCount()).isEqualTo(1);
        f.pki.ca().revoke(c.serialHex(), RevocationReason.CESSATION_OF_OPERATION, "test");
        assertThat(ocspStatus("dev-ocsp", false)).isEqualTo("revoked cessationOfOperation");
        assertThat(ocspStatus("dev-ocsp", true)).isEqualTo("revoked cessationOfOperation");
    }

    /** Builds the request with openssl, answers it, and lets openssl verify the answer; returns "good", "revoked ..." etc. */
    private String ocspStatus(String name, boolean nonce) {
        List<String> req = new java.util.ArrayList<>(List.of("ocsp", "-issuer", "devices.pem", "-cert", name + ".pem", "-reqout", "req.der"));
        if (!nonce) req.add("-no_nonce");
        openssl.run(req.toArray(String[]::new)).assertSuccess("ocsp request");
        try {
            byte[] resp = f.pki.ocsp().respond(java.nio.file.Files.readAllBytes(dir.resolve("req.der")));
            f.write("resp.der", resp);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        // With a nonce, openssl must read the very request it sent to check the echo (RFC 8954).
        var run = nonce
                ? openssl.run("ocsp", "-reqin", "req.der", "-respin", "resp.der", "-CAfile", "root.pem", "-verify_other", "devices.pem", "-resp_text")
                : openssl.run("ocsp", "-respin", "resp.der", "-issuer", "devices.pem", "-cert", name + ".pem", "-CAfile", "root.pem",
                "-verify_other", "devices.pem", "-resp_text");
        assertThat(run.output()).contains("Response verify OK");
        if (nonce) assertThat(run.output()).contains("OCSP Nonce");
        String text = run.output();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Cert Status: (\\w+)").matcher(text);
        assertThat(m.find()).as(text).isTrue();
        String status = m.group(1);
        java.util.regex.Matcher r = java.util.regex.Pattern.compile("Revocation Reason: (\\w+)").matcher(text);
        return r.find() ? status + " " + r.group(1) : status;
    }

    @Test
    void ocsp_answersUnknownForSerialsItNeverIssuedAndMalformedForGarbage() throws Exception {
        openssl.run("ocsp", "-issuer", "devices.pem", "-serial", "0x1234567", "-reqout", "req.der", "-no_nonce").assertSuccess("req");
        f.write("resp.der", f.pki.ocsp().respond(java.nio.file.Files.readAllBytes(dir.resolve("req.der"))));
        var run = openssl.run("ocsp", "-respin", "resp.der", "-issuer", "devices.pem", "-serial", "0x1234567", "-CAfile", "root.pem", "-verify_other", "devices.pem");
        assertThat(run.output()).contains("Response verify OK").contains("0x1234567: unknown");
        byte[] garbage = f.pki.ocsp().respond(new byte[]{0x30, 0x03, 0x01, 0x02});
        assertThat(new org.bouncycastle.cert.ocsp.OCSPResp(garbage).getStatus()).isEqualTo(org.bouncycastle.cert.ocsp.OCSPResp.MALFORMED_REQUEST);
        assertThat(f.pki.ocsp().malformedCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void pki_worksOnBothDatabasesAndSurvivesReopen(TestDatabases.Kind kind) {
        Path sub = dir.resolve(kind.name());
        X509Certificate root;
        String serial;
        try (PkiFixture g = PkiFixture.create(sub, kind, Clock.systemUTC(), List.of())) {
            root = g.pki.ca().caCertificate("root");
            byte[] csr = openssl.csr("both-" + kind, "ec:P-256", "/CN=both");
            serial = g.pki.ca().issue(new IssuanceRequest(Bytes.copyOf(csr), Profile.DEVICE, SubjectAuthorization.device("both"), Optional.empty(), "t")).serialHex();
            g.pki.ca().revoke(serial, RevocationReason.SUPERSEDED, "t");
        }
        if (kind == TestDatabases.Kind.SQLITE) {
            try (PkiFixture g = PkiFixture.create(sub, kind, Clock.systemUTC(), List.of())) {
                assertThat(g.pki.ca().caCertificate("root")).isEqualTo(root);
                assertThat(g.pki.ca().isRevoked(new BigInteger(serial, 16))).isTrue();
            }
        }
    }
}
