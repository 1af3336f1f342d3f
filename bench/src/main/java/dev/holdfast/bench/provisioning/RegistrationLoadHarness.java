package dev.holdfast.bench.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.provisioning.AllocationPolicy;
import dev.holdfast.provisioning.Enrollment;
import dev.holdfast.provisioning.EnrollmentAttestation;
import dev.holdfast.provisioning.EnrollmentSettings;
import dev.holdfast.provisioning.LinkedHub;
import dev.holdfast.provisioning.ManufacturerCa;
import dev.holdfast.provisioning.Provisioning;
import dev.holdfast.provisioning.ReprovisionPolicy;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.config.Settings;
import dev.holdfast.testing.TestManufacturerCa;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * End-to-end DPS registrations per second over HTTPS on loopback: every simulated device opens its own
 * TLS connection with its own IDevID (a full mutual TLS handshake), PUTs its registration with a CSR
 * (attestation to the manufacturer CA, allocation, issuance of the operational certificate by the
 * devices CA, registry write, operation record), then GETs the operation on the same connection and
 * checks that it is {@code assigned} with an {@code issuedCertificateChain}.
 *
 * <p>A real {@link HoldfastServer} runs in this JVM on 127.0.0.1 (embedded SQLite) with a manufacturer
 * CA uploaded and verified, three weighted hubs and one enrollment group; rate limits are off. Device
 * keys, IDevIDs and CSRs are made before the clock starts. {@code --concurrency} client threads share
 * the machine's cores with the server: the figure is for both on one box.
 *
 * <pre>
 * ./mvnw -B -q -o -pl bench -am package -DskipTests
 * java --enable-native-access=ALL-UNNAMED -cp "bench/target/holdfast-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
 *     dev.holdfast.bench.provisioning.RegistrationLoadHarness --devices 3000 --warmup 300 --concurrency 16
 * </pre>
 */
public final class RegistrationLoadHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record SimDevice(String id, SSLContext tls, String body, List<X509Certificate> chain) {
    }

    public static void main(String[] args) throws Exception {
        int devices = intArg(args, "--devices", 3000);
        int warmup = intArg(args, "--warmup", 300);
        int concurrency = intArg(args, "--concurrency", 16);
        boolean service = java.util.Arrays.asList(args).contains("--service");
        Path dir = Files.createTempDirectory("holdfast-dps-bench");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HoldfastConfig config = HoldfastConfig.defaults()
                .with(Settings.SERVER_HTTPS_BIND_ADDRESS, "127.0.0.1")
                .with(Settings.SERVER_HTTPS_PORT, port)
                .with(Settings.SERVER_PUBLIC_HOSTNAME, "127.0.0.1")
                .with(Settings.SERVER_SHUTDOWN_GRACE_PERIOD, Duration.ofSeconds(2))
                .with(Settings.PROVISIONING_RATE_LIMIT_PER_DEVICE, 0)
                .with(Settings.PROVISIONING_RATE_LIMIT_PER_SOURCE, 0);
        try (HoldfastServer server = HoldfastServer.start(dir.resolve("data"), config, Map.of(Settings.CA_PASSPHRASE_ENV, "dps-load-harness"))) {
            Provisioning p = server.provisioning().provisioning();
            TestManufacturerCa maker = TestManufacturerCa.root("Bench Maker Root");
            ManufacturerCa up = p.uploadManufacturerCa("bench", maker.certificate.getEncoded(), Optional.empty(), "bench");
            p.verifyManufacturerCa("bench", maker.proof(up.verificationCode()).getEncoded(), "bench");
            p.linkHub(new LinkedHub("hub-1", "hub-1.example.test", 1, "", true), "bench");
            p.linkHub(new LinkedHub("hub-2", "hub-2.example.test", 2, "", true), "bench");
            p.linkHub(new LinkedHub("hub-3", "hub-3.example.test", 3, "", true), "bench");
            p.createGroup(new Enrollment.Group("bench", new EnrollmentAttestation.X509Ca("bench"), new EnrollmentSettings(true, null, null,
                    Optional.empty(), false, new AllocationPolicy.Hashed(), List.of(), ReprovisionPolicy.MIGRATE, null, Optional.of(Duration.ofDays(30))),
                    Instant.now(), Instant.now(), 1), "bench");
            List<X509Certificate> trust = server.pki().ca().trustAnchors();
            String scope = p.idScope();

            System.out.printf("preparing %d devices (keys, IDevIDs, CSRs)...%n", warmup + devices);
            List<SimDevice> all = prepare(maker, trust, warmup + devices, concurrency);
            Registrar registrar = service
                    ? d -> {
                        var op = p.registrations().register(scope, d.id(), d.body().getBytes(StandardCharsets.UTF_8),
                                new dev.holdfast.provisioning.AttestationEvidence.X509(d.chain()), "127.0.0.1");
                        if (op.state().orElseThrow().issuedCertificateChain().size() < 2) throw new IOException("no chain");
                    }
                    : d -> register(d, scope, port);
            System.out.println(service ? "mode: service (RegistrationService in-process, no TLS, no HTTP)" : "mode: https (a new mutual TLS connection per device)");
            run("warm-up", all.subList(0, warmup), registrar, concurrency);
            Result r = run("measured", all.subList(warmup, all.size()), registrar, concurrency);

            int found = 0;
            for (SimDevice d : all.subList(warmup, all.size())) {
                if (server.registry().registry().devices().find(new DeviceId(d.id())).flatMap(x -> x.hub()).isPresent()) found++;
            }
            System.out.printf("check: %d of %d measured devices are in the registry with a hub%n", found, devices);
            System.out.printf("RESULT registrations=%d failures=%d seconds=%.2f rate=%.1f/s p50=%.1fms p99=%.1fms max=%.1fms concurrency=%d cores=%d%n",
                    r.ok, r.failed, r.seconds, r.ok / r.seconds, r.p(0.50), r.p(0.99), r.p(1.0), concurrency, Runtime.getRuntime().availableProcessors());
        }
    }

    private static List<SimDevice> prepare(TestManufacturerCa maker, List<X509Certificate> trust, int n, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, Runtime.getRuntime().availableProcessors())));
        try {
            List<Future<SimDevice>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = "bench-" + i;
                fs.add(pool.submit(() -> {
                    TestManufacturerCa.Device d = maker.device(id);
                    SSLContext tls = TlsPolicy.sslContext(d.keys().getPrivate(), d.chain().toArray(X509Certificate[]::new), trust);
                    String csr = Base64.getEncoder().encodeToString(TestManufacturerCa.csr(id, TestManufacturerCa.newKeyPair()));
                    return new SimDevice(id, tls, "{\"registrationId\":\"" + id + "\",\"csr\":\"" + csr + "\"}", d.chain());
                }));
            }
            List<SimDevice> out = new ArrayList<>();
            for (Future<SimDevice> f : fs) out.add(f.get());
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private record Result(int ok, int failed, double seconds, long[] latenciesNanos) {
        double p(double q) {
            if (latenciesNanos.length == 0) return 0;
            int i = (int) Math.min(latenciesNanos.length - 1, Math.ceil(q * latenciesNanos.length) - 1);
            return latenciesNanos[Math.max(0, i)] / 1e6;
        }
    }

    @FunctionalInterface
    private interface Registrar {
        void register(SimDevice d) throws IOException;
    }

    private static Result run(String phase, List<SimDevice> devices, Registrar registrar, int concurrency) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long[] lat = new long[devices.size()];
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < concurrency; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < devices.size(); i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        try {
                            registrar.register(devices.get(i));
                            ok.incrementAndGet();
                        } catch (Exception e) {
                            if (failed.incrementAndGet() <= 5) System.err.println(phase + ": " + devices.get(i).id() + ": " + e);
                        }
                        lat[i] = System.nanoTime() - t0;
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] sorted = lat.clone();
        Arrays.sort(sorted);
        Result r = new Result(ok.get(), failed.get(), seconds, sorted);
        System.out.printf("%s: %d registrations in %.2f s = %.1f/s (failures %d), p50 %.1f ms, p99 %.1f ms%n", phase, r.ok, seconds, r.ok / seconds,
                r.failed, r.p(0.5), r.p(0.99));
        return r;
    }

    /** One device: a fresh mutual-TLS connection, PUT register, GET the operation, check the chain. */
    private static void register(SimDevice d, String scope, int port) throws IOException {
        try (SSLSocket s = (SSLSocket) d.tls().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSSLParameters(TlsPolicy.apply(s.getSSLParameters()));
            s.setSoTimeout(30_000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] body = d.body().getBytes(StandardCharsets.UTF_8);
            String put = "PUT /" + scope + "/registrations/" + d.id() + "/register?api-version=2021-06-01 HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
            out.write(put.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            Response r1 = read(in);
            if (r1.status != 202) throw new IOException("register: HTTP " + r1.status + " " + new String(r1.body, StandardCharsets.UTF_8));
            String op = JSON.readTree(r1.body).path("operationId").asText();
            String get = "GET /" + scope + "/registrations/" + d.id() + "/operations/" + op + "?api-version=2021-06-01 HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n\r\n";
            out.write(get.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Response r2 = read(in);
            if (r2.status != 200) throw new IOException("status: HTTP " + r2.status);
            JsonNode st = JSON.readTree(r2.body).path("registrationState");
            if (!"assigned".equals(st.path("status").asText()) || st.path("issuedCertificateChain").size() < 2) {
                throw new IOException("not assigned with a chain: " + st);
            }
        }
    }

    private record Response(int status, byte[] body) {
    }

    /** Reads one HTTP/1.1 response with Content-Length (what Jetty sends for these bodies). */
    private static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed in the headers");
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 16384) throw new IOException("headers too long");
        }
        String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        int length = -1;
        boolean chunked = false;
        for (String l : lines) {
            String lower = l.toLowerCase();
            if (lower.startsWith("content-length:")) length = Integer.parseInt(l.substring(15).strip());
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
        }
        if (chunked) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String size = readLine(in);
                int n = Integer.parseInt(size.split(";")[0].strip(), 16);
                if (n == 0) {
                    readLine(in);
                    return new Response(status, body.toByteArray());
                }
                body.write(in.readNBytes(n));
                readLine(in);
            }
        }
        return new Response(status, length < 0 ? new byte[0] : in.readNBytes(length));
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) if (b != '\r') sb.append((char) b);
        return sb.toString();
    }

    private static int intArg(String[] args, String name, int dflt) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return Integer.parseInt(args[i + 1]);
        return dflt;
    }
}
