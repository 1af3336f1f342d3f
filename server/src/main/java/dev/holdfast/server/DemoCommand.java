package dev.holdfast.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.events.EventQuery;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.server.cli.CliFailure;
import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.config.Settings;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code holdfast demo}: a server with the embedded store in {@code ./holdfast-demo}, and a small
 * fleet that enrolls over EST and lives through a few security stories, all over real TLS on
 * loopback. It grows with the product: today it shows the PKI.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Starts a server in ./holdfast-demo and runs a simulated fleet through enrollment, renewal and revocation.",
                "It can run again on the same directory. Stop it with Ctrl-C, or give --duration."})
public final class DemoCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./holdfast-demo", description = "Where the demo keeps its data (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--devices", defaultValue = "20", description = "How many devices enroll (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Stop after this long, e.g. 60s or PT1M (default: run until Ctrl-C).")
    String duration;

    @Option(names = "--port", defaultValue = "8443", description = "HTTPS port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (devices < 2 || devices > 10_000) throw CliFailure.usage("--devices: " + devices + " (expected: 2..10000)");
        Duration stopAfter = duration == null ? null : parseDuration(duration);
        if (port == 0) port = TestPort.free();
        Map<String, String> env = new HashMap<>(System.getenv());
        HoldfastConfig config = HoldfastConfig.defaults()
                .with(Settings.SERVER_HTTPS_BIND_ADDRESS, "127.0.0.1")
                .with(Settings.SERVER_HTTPS_PORT, port)
                .with(Settings.SERVER_PUBLIC_HOSTNAME, "127.0.0.1")
                .with(Settings.SERVER_SHUTDOWN_GRACE_PERIOD, Duration.ofSeconds(2))
                .with(Settings.HUB_MQTT_BIND_ADDRESS, "127.0.0.1")
                .with(Settings.HUB_MQTT_PORT, 0);
        step("starting the server in " + dataDir.toAbsolutePath());
        try (HoldfastServer server = HoldfastServer.start(dataDir, config, env)) {
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "holdfast-demo-shutdown"));
            String base = "https://127.0.0.1:" + server.httpsPort();
            List<X509Certificate> roots = server.pki().ca().trustAnchors();
            String admin = Files.readString(dataDir.resolve("bootstrap/admin.token")).strip();
            HttpClient anonymous = client(TlsPolicy.clientContext(roots));
            long firstEvent = server.events().read(EventQuery.all(10_000)).stream().mapToLong(e -> e.sequence()).max().orElse(0);
            String run = Long.toString(Instant.now().getEpochSecond(), 36);

            step("enrolling " + devices + " devices over EST with one-time bootstrap tokens");
            List<Device> fleet = new ArrayList<>();
            for (int i = 1; i <= devices; i++) {
                String id = "demo-" + run + "-" + String.format("%04d", i);
                String token = post(anonymous, base + "/api/v1/est/tokens", "Bearer " + admin, "application/json",
                        JSON.writeValueAsBytes(Map.of("commonName", id))).path("token").asText();
                KeyPair kp = newKey();
                byte[] p7 = postRaw(anonymous, base + "/.well-known/est/simpleenroll", "Bearer " + token, csr(kp, id), 200);
                fleet.add(new Device(id, kp, single(p7)));
                if (i % Math.max(1, devices / 10) == 0 || i == devices) progress(i, devices);
            }

            step("story 1: a device renews its certificate with the one it has (EST simplereenroll over mutual TLS)");
            Device renewing = fleet.get(0);
            HttpClient mtls = client(TlsPolicy.sslContext(renewing.key.getPrivate(), new X509Certificate[]{renewing.cert}, roots));
            X509Certificate renewed = single(postRaw(mtls, base + "/.well-known/est/simplereenroll", null, csr(newKey(), renewing.id), 200));
            out.printf("    %s: serial %s -> %s%n", renewing.id, renewing.cert.getSerialNumber().toString(16), renewed.getSerialNumber().toString(16));

            step("story 2: a compromised device is revoked and cut off");
            Device bad = fleet.get(1);
            String serial = bad.cert.getSerialNumber().toString(16);
            out.printf("    OCSP before: %s%n", ocsp(anonymous, base, server, bad.cert));
            post(anonymous, base + "/api/v1/certificates/" + serial + "/revoke", "Bearer " + admin, "application/json",
                    JSON.writeValueAsBytes(Map.of("reason", "keyCompromise")));
            out.printf("    OCSP after:  %s%n", ocsp(anonymous, base, server, bad.cert));
            HttpClient badClient = client(TlsPolicy.sslContext(bad.key.getPrivate(), new X509Certificate[]{bad.cert}, roots));
            byte[] refusal = postRaw(badClient, base + "/.well-known/est/simplereenroll", null, csr(newKey(), bad.id), 403);
            out.printf("    its renewal is refused: %s%n", JSON.readTree(refusal).path("detail").asText());

            step("story 3: a burst of enrollments with guessed tokens is refused and recorded");
            for (int i = 0; i < 5; i++) {
                postRaw(anonymous, base + "/.well-known/est/simpleenroll", "Bearer hfb_guess" + i, csr(newKey(), "intruder"), 401);
            }
            out.println("    5 attempts refused (401), each a security event");

            var events = server.events().read(EventQuery.all(10_000).after(firstEvent));
            Map<String, Integer> byActivity = new java.util.TreeMap<>();
            events.forEach(e -> byActivity.merge(e.event().activity(), 1, Integer::sum));
            out.println();
            out.println("Summary");
            out.printf("  devices enrolled:       %d (one renewed, one revoked)%n", fleet.size());
            out.printf("  security events:        %d%n", events.size());
            byActivity.forEach((k, v) -> out.printf("    %-26s %d%n", k, v));
            out.println();
            out.println("Where to look (the server keeps running" + (stopAfter == null ? " until Ctrl-C" : " for " + stopAfter) + "):");
            out.printf("  export HOLDFAST_TOKEN=$(cat %s)%n", dataDir.resolve("bootstrap/admin.token"));
            out.printf("  ./holdfast ca show --server %s --data-dir %s%n", base, dataDir);
            out.printf("  ./holdfast ca list --server %s --data-dir %s%n", base, dataDir);
            out.printf("  curl --cacert %s %s/readyz%n", dataDir.resolve("bootstrap/trust-bundle.pem"), base);
            out.printf("  curl --cacert %s %s/pki/crl/devices.crl | openssl crl -inform DER -noout -text%n", dataDir.resolve("bootstrap/trust-bundle.pem"), base);
            out.flush();
            if (stopAfter != null) {
                Thread.sleep(stopAfter.toMillis());
            } else {
                server.awaitStop();
            }
        }
        return 0;
    }

    private record Device(String id, KeyPair key, X509Certificate cert) {
    }

    private void step(String s) {
        out.println("==> " + s);
        out.flush();
    }

    private void progress(int done, int total) {
        out.printf("    %d/%d enrolled%n", done, total);
        out.flush();
    }

    private static Duration parseDuration(String s) {
        try {
            if (s.startsWith("P") || s.startsWith("p")) return Duration.parse(s.toUpperCase());
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw CliFailure.usage("--duration: " + s + " (expected: 60s, 5m, 1h or PT1M)");
        }
    }

    private static HttpClient client(SSLContext ctx) {
        return HttpClient.newBuilder().sslContext(ctx).sslParameters(TlsPolicy.apply(ctx.getDefaultSSLParameters()))
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static KeyPair newKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static byte[] csr(KeyPair kp, String cn) throws Exception {
        byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + cn), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        return Base64.getMimeEncoder().encode(der);
    }

    private static JsonNode post(HttpClient c, String url, String auth, String type, byte[] body) throws Exception {
        return JSON.readTree(postRaw(c, url, auth, body, -1, type));
    }

    private static byte[] postRaw(HttpClient c, String url, String auth, byte[] body, int expect) throws Exception {
        return postRaw(c, url, auth, body, expect, "application/pkcs10");
    }

    private static byte[] postRaw(HttpClient c, String url, String auth, byte[] body, int expect, String type) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (auth != null) b.header("Authorization", auth);
        HttpResponse<byte[]> r = c.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        boolean ok = expect < 0 ? r.statusCode() / 100 == 2 : r.statusCode() == expect;
        if (!ok) {
            throw CliFailure.refused("demo step failed: POST " + URI.create(url).getPath() + " answered " + r.statusCode() + ": "
                    + new String(r.body(), StandardCharsets.UTF_8));
        }
        return r.body();
    }

    private static X509Certificate single(byte[] base64CertsOnly) throws Exception {
        CMSSignedData cms = new CMSSignedData(Base64.getMimeDecoder().decode(base64CertsOnly));
        X509CertificateHolder h = (X509CertificateHolder) cms.getCertificates().getMatches(null).iterator().next();
        return new JcaX509CertificateConverter().getCertificate(h);
    }

    private static String ocsp(HttpClient c, String base, HoldfastServer server, X509Certificate cert) throws Exception {
        X509CertificateHolder issuer = new X509CertificateHolder(server.pki().ca().caCertificate("devices").getEncoded());
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1), issuer, cert.getSerialNumber());
        byte[] req = new OCSPReqBuilder().addRequest(id).build().getEncoded();
        HttpResponse<byte[]> r = c.send(HttpRequest.newBuilder(URI.create(base + "/pki/ocsp/devices"))
                .header("Content-Type", "application/ocsp-request").POST(HttpRequest.BodyPublishers.ofByteArray(req)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(r.body()).getResponseObject();
        Object status = basic.getResponses()[0].getCertStatus();
        return status == null ? "good" : status instanceof RevokedStatus rs ? "revoked (" + (rs.hasRevocationReason() ? "reason " + rs.getRevocationReason() : "") + ")" : "unknown";
    }

    /** A free loopback port, for --port 0. */
    static final class TestPort {
        static int free() throws java.io.IOException {
            try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }
    }
}
