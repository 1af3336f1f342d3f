package dev.holdfast.server.pki;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.events.EventQuery;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PKI's acceptance, judged by the real tools over real HTTPS: {@code openssl ocsp} against the
 * URL in the certificate, CRLs fetched from their distribution point, EST with {@code openssl req} +
 * {@code curl}, and every EST refusal an RFC 9457 problem that stores nothing and emits an event.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PkiOverHttpsIT {
    Path dir;
    HoldfastServer server;
    String base;
    Path bundle;
    String adminToken;
    String openssl;
    String curl;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        dir = tmp;
        openssl = ExternalTool.require("openssl").toString();
        curl = ExternalTool.require("curl").toString();
        server = TestServers.start(dir.resolve("data"));
        base = "https://127.0.0.1:" + server.httpsPort();
        bundle = dir.resolve("data/bootstrap/trust-bundle.pem");
        adminToken = Files.readString(dir.resolve("data/bootstrap/admin.token")).strip();
        curlOk("-o", "devices.der", base + "/pki/ca/devices.crt");
        run(openssl, "x509", "-inform", "DER", "-in", "devices.der", "-out", "devices.pem").assertSuccess("x509");
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
    }

    ProcessRun run(String... cmd) {
        return ProcessRun.run(dir, List.of(cmd), Map.of(), null, 60);
    }

    ProcessRun curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(curl, "-sS", "--max-time", "20", "--cacert", bundle.toString()));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    ProcessRun curlOk(String... args) {
        return curl(args).assertSuccess("curl " + String.join(" ", args));
    }

    /** A key and a base64 DER CSR made by openssl req. */
    Path csr(String name, String subject) {
        run(openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-outform", "DER", "-out", name + ".der", "-subj", subject).assertSuccess("openssl req");
        run(openssl, "base64", "-in", name + ".der", "-out", name + ".b64").assertSuccess("base64");
        return dir.resolve(name + ".b64");
    }

    String estToken(String cn) throws Exception {
        ProcessRun r = curlOk("-H", "Authorization: Bearer " + adminToken, "-H", "Content-Type: application/json",
                "--data-binary", "{\"commonName\":\"" + cn + "\"}", base + "/api/v1/est/tokens");
        return JSON.readTree(r.stdout()).path("token").asText();
    }

    /** POSTs a CSR to an EST operation; returns HTTP status, content type and body. */
    record Reply(int status, String contentType, String body) {
        JsonNode problem() throws Exception {
            return JSON.readTree(body);
        }
    }

    Reply est(String op, Path body, String... extra) {
        List<String> args = new ArrayList<>(List.of("-o", "reply.out", "-w", "%{http_code} %{content_type}", "-H", "Content-Type: application/pkcs10",
                "--data-binary", "@" + body));
        args.addAll(List.of(extra));
        args.add(base + "/.well-known/est/" + op);
        ProcessRun r = curlOk(args.toArray(String[]::new));
        String[] parts = r.stdout().split(" ", 2);
        try {
            return new Reply(Integer.parseInt(parts[0]), parts.length > 1 ? parts[1] : "", Files.readString(dir.resolve("reply.out")));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Decodes a certs-only EST reply into PEM with openssl. */
    Path certFrom(Reply reply, String name) throws Exception {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/pkcs7-mime");
        Files.writeString(dir.resolve(name + ".p7.b64"), reply.body());
        run(openssl, "base64", "-d", "-in", name + ".p7.b64", "-out", name + ".p7").assertSuccess("base64 -d");
        run(openssl, "pkcs7", "-inform", "DER", "-in", name + ".p7", "-print_certs", "-out", name + ".pem").assertSuccess("pkcs7");
        return dir.resolve(name + ".pem");
    }

    long certificates() {
        return server.database().withConnection(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM certificate")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    long events(String activity) {
        return server.events().read(EventQuery.all(10_000).withActivityPrefix(activity)).stream()
                .filter(e -> e.event().activity().equals(activity)).count();
    }

    void assertProblem(Reply r, int status, String code) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode p = r.problem();
        assertThat(p.path("type").asText()).endsWith("/" + code);
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("title").asText()).isNotBlank();
        assertThat(p.path("detail").asText()).isNotBlank();
    }

    @Test
    void est_enrollWithTokenThenReenrollWithTheIssuedCertificate_andOcspFollowsRevocation() throws Exception {
        Path body = csr("meter-1", "/CN=meter-1");
        Path cert = certFrom(est("simpleenroll", body, "-H", "Authorization: Bearer " + estToken("meter-1")), "meter-1");
        ProcessRun verify = run(openssl, "verify", "-CAfile", bundle.toString(), "-untrusted", "devices.pem", cert.toString());
        assertThat(verify.stdout()).contains(": OK");

        // Re-enroll: the client authenticates with the certificate it just got (RFC 7030 §4.2.2).
        Path renewBody = csr("meter-1b", "/CN=meter-1");
        Path renewed = certFrom(est("simplereenroll", renewBody, "--cert", cert.toString(), "--key", "meter-1.key"), "meter-1b");
        assertThat(run(openssl, "x509", "-in", renewed.toString(), "-noout", "-subject").stdout()).contains("CN = meter-1");

        // openssl ocsp against the responder URL written in the certificate.
        String url = run(openssl, "x509", "-in", renewed.toString(), "-noout", "-ocsp_uri").assertSuccess("ocsp_uri").stdout().strip();
        assertThat(url).isEqualTo(base + "/pki/ocsp/devices");
        assertThat(ocsp(renewed, url)).contains(": good");
        String serial = run(openssl, "x509", "-in", renewed.toString(), "-noout", "-serial").stdout().strip().split("=")[1];
        ProcessRun revoke = curlOk("-H", "Authorization: Bearer " + adminToken, "-H", "Content-Type: application/json",
                "--data-binary", "{\"reason\":\"keyCompromise\"}", base + "/api/v1/certificates/" + serial + "/revoke");
        assertThat(revoke.stdout()).contains("\"status\":\"revoked\"");
        assertThat(ocsp(renewed, url)).contains(": revoked").contains("Reason: keyCompromise");

        // The CRL at the distribution point in the certificate lists the serial and verifies.
        String text = run(openssl, "x509", "-in", renewed.toString(), "-noout", "-ext", "crlDistributionPoints").stdout();
        String crlUrl = text.substring(text.indexOf("URI:") + 4).strip();
        server.pki().crls().flush();
        curlOk("-o", "devices.crl", crlUrl);
        Files.writeString(dir.resolve("crl-chain.pem"), Files.readString(dir.resolve("devices.pem")) + Files.readString(bundle));
        ProcessRun crl = run(openssl, "crl", "-inform", "DER", "-in", "devices.crl", "-CAfile", "crl-chain.pem", "-noout", "-verify", "-text");
        assertThat(crl.output()).contains("verify OK");
        assertThat(crl.stdout()).contains("Serial Number: " + serial.toUpperCase());

        // A revoked certificate can no longer re-enroll.
        long before = certificates();
        assertProblem(est("simplereenroll", csr("meter-1c", "/CN=meter-1"), "--cert", renewed.toString(), "--key", "meter-1b.key"),
                403, "certificate-revoked");
        assertThat(certificates()).isEqualTo(before);
    }

    @Test
    void ocspGet_acceptsBase64WithPlusPercentEncodedBareOrAsBase64url() throws Exception {
        java.security.cert.X509Certificate issuer = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory
                .getInstance("X.509").generateCertificate(Files.newInputStream(dir.resolve("devices.der")));
        java.math.BigInteger serial = java.math.BigInteger.valueOf(0x5eed);
        var id = new org.bouncycastle.cert.ocsp.CertificateID(
                new org.bouncycastle.operator.bc.BcDigestCalculatorProvider().get(org.bouncycastle.cert.ocsp.CertificateID.HASH_SHA1),
                new org.bouncycastle.cert.X509CertificateHolder(issuer.getEncoded()), serial);
        // A nonce of repeated 0xFBEFBE encodes as "++++" at one of the three base64 alignments.
        byte[] der = null;
        for (int shift = 0; shift < 3 && der == null; shift++) {
            byte[] nonce = new byte[shift + 24];
            for (int i = shift; i < nonce.length; i++) nonce[i] = (byte) new int[]{0xFB, 0xEF, 0xBE}[(i - shift) % 3];
            byte[] candidate = new org.bouncycastle.cert.ocsp.OCSPReqBuilder().addRequest(id)
                    .setRequestExtensions(new org.bouncycastle.asn1.x509.Extensions(new org.bouncycastle.asn1.x509.Extension(
                            org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                            new org.bouncycastle.asn1.DEROctetString(nonce).getEncoded())))
                    .build().getEncoded();
            if (java.util.Base64.getEncoder().encodeToString(candidate).contains("+")) der = candidate;
        }
        assertThat(der).as("a request whose base64 has a '+'").isNotNull();
        String b64 = java.util.Base64.getEncoder().encodeToString(der);
        Map<String, String> forms = Map.of(
                "percent-encoded", java.net.URLEncoder.encode(b64, StandardCharsets.US_ASCII),
                "bare", b64,
                "base64url", java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(der));
        for (var form : forms.entrySet()) {
            Path out = dir.resolve("get-" + form.getKey() + ".der");
            curlOk("-o", out.toString(), base + "/pki/ocsp/devices/" + form.getValue());
            var response = new org.bouncycastle.cert.ocsp.OCSPResp(Files.readAllBytes(out));
            assertThat(response.getStatus()).as(form.getKey()).isEqualTo(org.bouncycastle.cert.ocsp.OCSPResp.SUCCESSFUL);
            var basic = (org.bouncycastle.cert.ocsp.BasicOCSPResp) response.getResponseObject();
            assertThat(basic.getResponses()[0].getCertID().getSerialNumber()).as(form.getKey()).isEqualTo(serial);
        }
    }

    private String ocsp(Path cert, String url) {
        ProcessRun r = run(openssl, "ocsp", "-issuer", "devices.pem", "-cert", cert.toString(), "-url", url,
                "-CAfile", bundle.toString(), "-verify_other", "devices.pem");
        assertThat(r.output()).contains("Response verify OK");
        return r.stdout();
    }

    @Test
    void est_refusalsAreProblemsThatStoreNothingAndEmitEvents() throws Exception {
        long stored = certificates();
        long refusedEvents = events("est.enroll.refused");

        String token = estToken("cam-7");
        // Wrong token.
        assertProblem(est("simpleenroll", csr("cam-7", "/CN=cam-7"), "-H", "Authorization: Bearer hfb_not-a-real-token"), 401, "bad-token");
        // Subject mismatch: the token authorizes cam-7, the CSR asks for cam-8.
        assertProblem(est("simpleenroll", csr("cam-8", "/CN=cam-8"), "-H", "Authorization: Bearer " + token), 403, "subject-mismatch");
        // Malformed CSR.
        Files.writeString(dir.resolve("garbage.b64"), "MIIBnot-a-csr!!", StandardCharsets.US_ASCII);
        assertProblem(est("simpleenroll", dir.resolve("garbage.b64"), "-H", "Authorization: Bearer " + token), 400, "malformed-csr");
        Files.writeString(dir.resolve("truncated.b64"), "MIIBCjCBsQIBADAP", StandardCharsets.US_ASCII);
        assertProblem(est("simpleenroll", dir.resolve("truncated.b64"), "-H", "Authorization: Bearer " + token), 400, "malformed-csr");
        // No credential at all.
        assertProblem(est("simpleenroll", csr("anon", "/CN=anon")), 401, "no-credential");
        assertThat(certificates()).isEqualTo(stored);
        assertThat(events("est.enroll.refused")).isEqualTo(refusedEvents + 5);

        // The same token still works once, then is used up.
        Path good = csr("cam-7b", "/CN=cam-7");
        certFrom(est("simpleenroll", good, "-H", "Authorization: Basic " + java.util.Base64.getEncoder()
                .encodeToString(("cam-7:" + token).getBytes(StandardCharsets.US_ASCII))), "cam-7");
        long afterOne = certificates();
        assertProblem(est("simpleenroll", csr("cam-7c", "/CN=cam-7"), "-H", "Authorization: Bearer " + token), 401, "token-used");
        assertThat(certificates()).isEqualTo(afterOne);
    }

    @Test
    void est_reenrollRefusesAnExpiredCertificateAndAMismatchedSubject() throws Exception {
        // A device certificate that expires four seconds after issuance, issued through the admin API.
        run(openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "short.key",
                "-out", "short.csr", "-subj", "/CN=short-lived").assertSuccess("req");
        String csrPem = Files.readString(dir.resolve("short.csr"));
        String req = JSON.writeValueAsString(Map.of("csr", csrPem, "commonName", "short-lived", "profile", "device", "validity", "PT4S"));
        ProcessRun issued = curlOk("-H", "Authorization: Bearer " + adminToken, "-H", "Content-Type: application/json", "--data-binary", req,
                base + "/api/v1/certificates");
        Files.writeString(dir.resolve("short.pem"), JSON.readTree(issued.stdout()).path("pem").asText());

        long issuedAt = System.nanoTime();
        long stored = certificates();
        assertProblem(est("simplereenroll", csr("other", "/CN=someone-else"), "--cert", "short.pem", "--key", "short.key"), 403, "subject-mismatch");
        Thread.sleep(Math.max(0, 5_000 - (System.nanoTime() - issuedAt) / 1_000_000)); // past notAfter
        assertProblem(est("simplereenroll", csr("short2", "/CN=short-lived"), "--cert", "short.pem", "--key", "short.key"), 403, "certificate-expired");
        assertThat(certificates()).isEqualTo(stored);
        assertThat(events("est.reenroll.refused")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void est_cacertsAndCsrattrsAreServedWithoutCredentials() throws Exception {
        ProcessRun r = curlOk("-o", "cacerts.b64", "-w", "%{http_code}", base + "/.well-known/est/cacerts");
        assertThat(r.stdout()).isEqualTo("200");
        run(openssl, "base64", "-d", "-in", "cacerts.b64", "-out", "cacerts.p7").assertSuccess("b64");
        String certs = run(openssl, "pkcs7", "-inform", "DER", "-in", "cacerts.p7", "-print_certs", "-noout").assertSuccess("pkcs7").stdout();
        assertThat(certs).contains("Holdfast Devices CA").contains("Holdfast Root CA");
        assertThat(curlOk("-w", "%{http_code}", "-o", "/dev/null", base + "/.well-known/est/csrattrs").stdout()).isEqualTo("200");
    }

    @Test
    void tls_everyHandshakeBelowTls12OrWithoutAeadIsRefused() {
        String hostPort = "127.0.0.1:" + server.httpsPort();
        ProcessRun tls11 = run(openssl, "s_client", "-connect", hostPort, "-tls1_1", "-CAfile", bundle.toString());
        assertThat(tls11.exitCode()).isNotZero();
        assertThat(tls11.output()).doesNotContain("Cipher is ECDHE");
        ProcessRun cbc = run(openssl, "s_client", "-connect", hostPort, "-tls1_2", "-cipher",
                "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:AES128-SHA", "-CAfile", bundle.toString());
        assertThat(cbc.exitCode()).isNotZero();
        ProcessRun ok = run(openssl, "s_client", "-connect", hostPort, "-tls1_2", "-CAfile", bundle.toString(), "-verify_return_error");
        assertThat(ok.output()).contains("Verify return code: 0 (ok)").containsPattern("Cipher is ECDHE-ECDSA-(AES\\d+-GCM|CHACHA20-POLY1305)");
    }
}
