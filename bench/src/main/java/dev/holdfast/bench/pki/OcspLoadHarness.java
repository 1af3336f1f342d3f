package dev.holdfast.bench.pki;

import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.IssuanceRequest;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.SubjectAuthorization;
import dev.holdfast.pki.ocsp.OcspResponder;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.config.Settings;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * OCSP responses per second over HTTPS on loopback, measured from outside the JVM.
 *
 * <p>Starts a real {@link HoldfastServer} in-process on 127.0.0.1, issues {@code --certs} device
 * certificates through its CA, builds one DER OCSP request per certificate without a nonce (so the
 * responder answers from its pre-signed cache, RFC 6960 §4.4.1 being optional), and drives the HTTPS
 * listener with <a href="https://github.com/wg/wrk">wrk</a>, a separate process, so the figures are
 * not the JVM timing itself. A warm-up run (GET, not reported) signs and caches every response and
 * warms the JIT; then the scenarios run in order:
 * <ol>
 *   <li>{@code get-keepalive}: RFC 6960 Appendix A.1 GET, {@code /pki/ocsp/devices/<url-encoded base64>}
 *       (or base64url when the server refuses that form, see {@link GetEncoding}), rotating over every
 *       certificate, on wrk's persistent connections, so TLS handshakes happen once per connection and
 *       are out of the figure;</li>
 *   <li>{@code post-keepalive}: the same requests as POST bodies ({@code application/ocsp-request});</li>
 *   <li>{@code get-handshake-per-request}: GET with {@code Connection: close}, so every response
 *       pays a full TLS handshake on the JVM side: the price of clients that do not reuse
 *       connections.</li>
 * </ol>
 * For each it prints wrk's figures (requests/s, latency percentiles, errors) and, from the
 * responder's own counters, how many requests it served and how many it answered from the cache,
 * so the figure is honestly about pre-signed responses. wrk and the server share the machine's cores.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp "bench/target/holdfast-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
 * dev.holdfast.bench.pki.OcspLoadHarness [--certs 1000] [--duration 20] [--warmup 10] [--threads 2]
 * [--connections 64] [--wrk wrk] [--scenarios get-keepalive,post-keepalive,get-handshake-per-request]}.
 * Every run is bounded in time (wrk's {@code -d}, and a hard limit on waiting for it); only
 * 127.0.0.1 is contacted.
 */
public final class OcspLoadHarness {
    private static final String CA = "devices";
    private static final String OCSP_PATH = "/pki/ocsp/" + CA;

    /** The JVM's CPU time (server and harness; the harness idles while wrk runs) and the load average. */
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private OcspLoadHarness() {
    }

    /** One wrk run's figures, as the Lua {@code done} hook prints them. */
    record WrkResult(String scenario, long requests, double seconds, double requestsPerSecond, double p50Micros,
                     double p90Micros, double p99Micros, double maxMicros, long non2xx, long socketErrors,
                     long servedDelta, long cacheHitDelta, long malformedDelta, double jvmCpuMicrosPerRequest,
                     double loadBefore, double loadAfter, String rawOutput) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        int certs = Integer.parseInt(opts.getOrDefault("certs", "1000"));
        int duration = Integer.parseInt(opts.getOrDefault("duration", "20"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "10"));
        int threads = Integer.parseInt(opts.getOrDefault("threads", "2"));
        int connections = Integer.parseInt(opts.getOrDefault("connections", "64"));
        String wrk = opts.getOrDefault("wrk", "wrk");
        List<String> scenarios = List.of(opts.getOrDefault("scenarios", "get-keepalive,post-keepalive,get-handshake-per-request").split(","));
        if (certs < 1 || duration < 1 || duration > 600 || warmup < 0 || warmup > 600 || threads < 1 || connections < threads) {
            throw new IllegalArgumentException("certs: " + certs + ", duration: " + duration + "s, warmup: " + warmup + "s, threads: "
                    + threads + ", connections: " + connections
                    + " (expected: certs >= 1, 1 <= duration <= 600, 0 <= warmup <= 600, threads >= 1, connections >= threads)");
        }

        Path work = Files.createTempDirectory("holdfast-ocsp-load");
        int port = freeLoopbackPort();
        HoldfastConfig config = HoldfastConfig.defaults()
                .with(Settings.SERVER_HTTPS_BIND_ADDRESS, "127.0.0.1")
                .with(Settings.SERVER_HTTPS_PORT, port)
                .with(Settings.SERVER_PUBLIC_HOSTNAME, "127.0.0.1")
                .with(Settings.SERVER_SHUTDOWN_GRACE_PERIOD, Duration.ofSeconds(2));
        List<WrkResult> results = new ArrayList<>();
        try (HoldfastServer server = HoldfastServer.start(work.resolve("data"), config,
                Map.of(Settings.CA_PASSPHRASE_ENV, "ocsp-load-harness"))) {
            OcspResponder ocsp = server.pki().ocsp();
            System.out.printf("server: %s; issuing %d device certificates%n", server.httpsUri(), certs);
            long t0 = System.nanoTime();
            List<BigInteger> serials = issue(server, certs);
            System.out.printf("issued %d certificates in %.1f s%n", certs, (System.nanoTime() - t0) / 1e9);

            X509CertificateHolder issuer = new X509CertificateHolder(server.pki().ca().caCertificate(CA).getEncoded());
            DigestCalculator sha1 = new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1);
            List<byte[]> requests = new ArrayList<>(certs);
            for (BigInteger serial : serials) {
                requests.add(new OCSPReqBuilder().addRequest(new CertificateID(sha1, issuer, serial)).build().getEncoded());
            }
            GetEncoding encoding = sanityCheck(server, requests, serials);

            Path getScript = writeGetScript(work.resolve("get.lua"), requests, encoding, false);
            Path getCloseScript = writeGetScript(work.resolve("get-close.lua"), requests, encoding, true);
            Path postScript = writePostScript(work.resolve("post.lua"), requests);
            String url = "https://127.0.0.1:" + port;
            String wrkVersion = wrkVersion(wrk);
            System.out.println("wrk: " + wrkVersion);

            if (warmup > 0) {
                // Signs and caches every response once and warms the JIT; not reported.
                WrkResult w = runWrk(wrk, "warm-up", getScript, url, threads, connections, warmup, ocsp);
                System.out.printf("warm-up: %.0f requests/s, %d served, %d from cache%n", w.requestsPerSecond(), w.servedDelta(), w.cacheHitDelta());
            }
            for (String scenario : scenarios) {
                Path script = switch (scenario) {
                    case "get-keepalive" -> getScript;
                    case "post-keepalive" -> postScript;
                    case "get-handshake-per-request" -> getCloseScript;
                    default -> throw new IllegalArgumentException("scenario: " + scenario
                            + " (expected: get-keepalive, post-keepalive, get-handshake-per-request)");
                };
                WrkResult r = runWrk(wrk, scenario, script, url, threads, connections, duration, ocsp);
                results.add(r);
                System.out.println("---- " + scenario + " ----");
                System.out.print(r.rawOutput());
            }
            System.out.println();
            System.out.printf("machine: %d CPUs (%s), %s %s; %s, -t%d -c%d -d%ds%n", Runtime.getRuntime().availableProcessors(),
                    cpuModel(), System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"), wrkVersion, threads,
                    connections, duration);
            System.out.printf("| scenario | requests/s | p50 | p90 | p99 | max | requests | non-2xx | socket errors | malformed | served by responder | from cache | JVM CPU per request | load avg before/after |%n");
            System.out.printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n");
            for (WrkResult r : results) {
                System.out.printf("| %s | %,.0f | %s | %s | %s | %s | %,d | %d | %d | %d | %,d | %,d (%.2f%%) | %.0f µs | %.1f / %.1f |%n", r.scenario(),
                        r.requestsPerSecond(), millis(r.p50Micros()), millis(r.p90Micros()), millis(r.p99Micros()),
                        millis(r.maxMicros()), r.requests(), r.non2xx(), r.socketErrors(), r.malformedDelta(), r.servedDelta(),
                        r.cacheHitDelta(), r.servedDelta() == 0 ? 0.0 : 100.0 * r.cacheHitDelta() / r.servedDelta(),
                        r.jvmCpuMicrosPerRequest(), r.loadBefore(), r.loadAfter());
            }
            System.out.printf("responder totals: served %,d, cache hits %,d, malformed %,d%n",
                    ocsp.servedCount(), ocsp.cacheHitCount(), ocsp.malformedCount());
        } finally {
            deleteTree(work);
        }
    }

    private static List<BigInteger> issue(HoldfastServer server, int n) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        List<BigInteger> serials = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            KeyPair kp = g.generateKeyPair();
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=ocsp-load-" + i), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
            IssuedCertificate c = server.pki().ca().issue(new IssuanceRequest(Bytes.wrapOwned(csr), Profile.DEVICE,
                    SubjectAuthorization.device("ocsp-load-" + i), Optional.empty(), "ocsp-load-harness"));
            serials.add(c.serial());
        }
        return serials;
    }

    /**
     * How the GET path carries the request. RFC 6960 Appendix A.1 asks for the URL encoding of the
     * standard base64 ({@code +} as {@code %2B}, {@code /} as {@code %2F}); the server also accepts
     * base64url ({@code -} and {@code _}), which needs no URL encoding.
     */
    enum GetEncoding {
        RFC_6960 {
            @Override
            String segment(byte[] der) {
                return URLEncoder.encode(Base64.getEncoder().encodeToString(der), StandardCharsets.US_ASCII);
            }
        },
        BASE64URL {
            @Override
            String segment(byte[] der) {
                return Base64.getUrlEncoder().encodeToString(der);
            }
        };

        abstract String segment(byte[] der);
    }

    /**
     * Before any load, through a verifying client (the server's own root as the only trust anchor):
     * a POST and a GET for one certificate must be {@code successful}, status good for that serial,
     * and byte for byte the same pre-signed response. Tries the RFC 6960 GET form on a request whose
     * base64 has a {@code +} (the form the JDK's OCSP client sends); when the server refuses it, says
     * so and loads GET with base64url instead, so that the figures are about answered requests.
     */
    private static GetEncoding sanityCheck(HoldfastServer server, List<byte[]> requests, List<BigInteger> serials) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", server.pki().ca().trustAnchors().get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        int probe = -1;
        int withPlus = 0;
        for (int i = 0; i < requests.size(); i++) {
            if (Base64.getEncoder().encodeToString(requests.get(i)).contains("+")) {
                withPlus++;
                if (probe < 0) probe = i;
            }
        }
        System.out.printf("%d of %d requests have a '+' in their base64 (%%2B in the RFC 6960 GET form)%n", withPlus, requests.size());
        if (probe < 0) probe = 0;
        byte[] request = requests.get(probe);
        BigInteger serial = serials.get(probe);
        try (HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build()) {
            URI base = server.httpsUri();
            byte[] post = send(client, HttpRequest.newBuilder(base.resolve(OCSP_PATH)).header("Content-Type", "application/ocsp-request")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request)), serial, true);
            String rfcPath = OCSP_PATH + "/" + GetEncoding.RFC_6960.segment(request);
            byte[] get = send(client, HttpRequest.newBuilder(base.resolve(rfcPath)).GET(), serial, false);
            GetEncoding use = GetEncoding.RFC_6960;
            if (get == null) {
                System.out.printf("WARNING: GET in the RFC 6960 A.1 form (%s...) is not answered 'good';"
                        + " loading GET with base64url, which the server also accepts%n", rfcPath.substring(0, 40));
                use = GetEncoding.BASE64URL;
                get = send(client, HttpRequest.newBuilder(base.resolve(OCSP_PATH + "/" + use.segment(request))).GET(), serial, true);
            }
            if (!Arrays.equals(get, post)) {
                throw new IllegalStateException("GET and POST answered differently for the same nonce-less request");
            }
            System.out.printf("sanity: POST and GET (%s) over verified TLS answer 'good' for %s with the same %d-byte pre-signed response%n",
                    use, serial.toString(16), get.length);
            return use;
        }
    }

    /** The DER response if it is a successful 'good' for {@code serial}; otherwise throws, or returns null when not {@code required}. */
    private static byte[] send(HttpClient client, HttpRequest.Builder builder, BigInteger serial, boolean required) throws Exception {
        HttpRequest request = builder.timeout(Duration.ofSeconds(10)).build();
        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        String problem = null;
        if (response.statusCode() != 200) {
            problem = "HTTP " + response.statusCode();
        } else {
            OCSPResp resp = new OCSPResp(response.body());
            if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
                problem = "OCSP response status " + resp.getStatus();
            } else {
                var single = ((BasicOCSPResp) resp.getResponseObject()).getResponses()[0];
                if (!single.getCertID().getSerialNumber().equals(serial) || single.getCertStatus() != CertificateStatus.GOOD) {
                    problem = "not 'good' for serial " + serial.toString(16);
                }
            }
        }
        if (problem == null) return response.body();
        if (required) throw new IllegalStateException(request.method() + " " + request.uri() + ": " + problem);
        System.out.printf("%s %s...: %s%n", request.method(), request.uri().toString().substring(0, 60), problem);
        return null;
    }

    private static Path writeGetScript(Path file, List<byte[]> requests, GetEncoding encoding, boolean closeEach) throws IOException {
        StringBuilder lua = new StringBuilder("local paths = {\n");
        for (byte[] r : requests) lua.append("  \"").append(OCSP_PATH).append('/').append(encoding.segment(r)).append("\",\n");
        lua.append("}\n");
        lua.append(closeEach ? "local headers = { [\"Connection\"] = \"close\" }\n" : "local headers = {}\n");
        lua.append(ROTATION).append("""
                request = function()
                  i = i % #paths + 1
                  return wrk.format("GET", paths[i], headers)
                end
                """).append(DONE);
        return Files.writeString(file, lua);
    }

    private static Path writePostScript(Path file, List<byte[]> requests) throws IOException {
        StringBuilder lua = new StringBuilder("local bodies = {\n");
        for (byte[] r : requests) {
            lua.append("  \"");
            for (byte b : r) lua.append('\\').append(String.format("%03d", b & 0xff)); // Lua 5.1 decimal escapes
            lua.append("\",\n");
        }
        lua.append("}\n");
        lua.append("local headers = { [\"Content-Type\"] = \"application/ocsp-request\" }\n");
        lua.append(ROTATION)
                .append("request = function()\n")
                .append("  i = i % #bodies + 1\n")
                .append("  return wrk.format(\"POST\", \"").append(OCSP_PATH).append("\", headers, bodies[i])\n")
                .append("end\n")
                .append(DONE);
        return Files.writeString(file, lua);
    }

    /** Each wrk thread starts at a different certificate, so the threads do not ask in lockstep. */
    private static final String ROTATION = """
            local thread_count = 0
            function setup(thread)
              thread_count = thread_count + 1
              thread:set("offset", thread_count * 7919)
            end
            i = 0
            function init(args)
              i = offset or 0
            end
            """;

    /** A line the harness parses; latencies in microseconds, as wrk keeps them. */
    private static final String DONE = """
            function done(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("HOLDFAST requests=%d duration_us=%d p50=%.0f p90=%.0f p99=%.0f max=%.0f non2xx=%d connect=%d read=%d write=%d timeout=%d\\n",
                summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
                latency.max, e.status, e.connect, e.read, e.write, e.timeout))
            end
            """;

    private static WrkResult runWrk(String wrk, String scenario, Path script, String url, int threads, int connections,
                                    int seconds, OcspResponder ocsp) throws IOException, InterruptedException {
        long served0 = ocsp.servedCount();
        long hits0 = ocsp.cacheHitCount();
        long malformed0 = ocsp.malformedCount();
        double load0 = OS.getSystemLoadAverage();
        long cpu0 = OS.getProcessCpuTime();
        Process p = new ProcessBuilder(wrk, "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency",
                "--timeout", "5s", "-s", script.toString(), url).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out;
        try {
            out = p.getInputStream().readNBytes(1 << 20);
            if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
                throw new IllegalStateException("wrk did not finish within " + (seconds + 60) + " s");
            }
        } finally {
            p.destroyForcibly();
        }
        long cpu = OS.getProcessCpuTime() - cpu0;
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new IllegalStateException("wrk exited with " + p.exitValue() + ":\n" + text);
        String line = text.lines().filter(l -> l.startsWith("HOLDFAST ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("wrk printed no result line:\n" + text));
        Map<String, String> f = new LinkedHashMap<>();
        for (String kv : line.substring("HOLDFAST ".length()).strip().split(" ")) {
            f.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        long requests = Long.parseLong(f.get("requests"));
        double secs = Long.parseLong(f.get("duration_us")) / 1e6;
        long socketErrors = Long.parseLong(f.get("connect")) + Long.parseLong(f.get("read")) + Long.parseLong(f.get("write"))
                + Long.parseLong(f.get("timeout"));
        return new WrkResult(scenario, requests, secs, requests / secs, Double.parseDouble(f.get("p50")),
                Double.parseDouble(f.get("p90")), Double.parseDouble(f.get("p99")), Double.parseDouble(f.get("max")),
                Long.parseLong(f.get("non2xx")), socketErrors, ocsp.servedCount() - served0, ocsp.cacheHitCount() - hits0,
                ocsp.malformedCount() - malformed0, requests == 0 ? 0 : cpu / 1e3 / requests, load0, OS.getSystemLoadAverage(), text);
    }

    private static String wrkVersion(String wrk) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(wrk, "--version").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String text = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        return text.lines().findFirst().orElse("?").strip();
    }

    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String millis(double micros) {
        return String.format("%.2f ms", micros / 1000.0);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("argument " + args[i] + " (expected: --name value)");
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
