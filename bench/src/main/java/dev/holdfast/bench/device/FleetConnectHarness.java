package dev.holdfast.bench.device;

import dev.holdfast.device.Certificates;
import dev.holdfast.device.DeviceKey;
import dev.holdfast.device.SoftwareKeys;
import dev.holdfast.device.sim.EnrollmentApi;
import dev.holdfast.device.sim.Factory;
import dev.holdfast.device.sim.FleetSimulator;
import dev.holdfast.device.sim.SimulationConfig;
import dev.holdfast.device.sim.SimulationReport;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

import javax.security.auth.x500.X500Principal;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * The {@code holdfast sim --devices 5000} scenario of issue 7: connects N simulated devices from one
 * JVM and prints connect time (per device p50/p95/max, whole fleet) and heap per connected device,
 * then holds them for a while with telemetry running and prints the report again.
 *
 * <p>Peers: {@code --peer holdfast} (the default) starts a Holdfast server in a separate JVM on
 * 127.0.0.1 (its own heap, so the simulator's heap per device is the devices' alone; the server's
 * resident memory is read from /proc), links a hub, uploads and verifies the simulator's manufacturer
 * CA with an enrollment group, and every device provisions over DPS/HTTPS with the CSR extension and
 * then connects to the hub over mutual-TLS MQTT, as in {@code holdfast demo}. {@code --peer mosquitto}
 * starts a local Mosquitto (TLS, client certificates required, the manufacturer CA trusted) and the
 * devices connect with their IDevIDs ({@code --provisioning none}). Both sides run on this machine.
 *
 * <pre>
 * java -Xmx2g -cp "bench/target/holdfast-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" dev.holdfast.bench.device.FleetConnectHarness \
 *   [--peer holdfast|mosquitto] [--devices 5000] [--hold 30] [--interval-seconds 30] [--concurrency 64] [--io-threads 2]
 *   [--server-heap 1g] [--dir DIR]
 * </pre>
 */
public final class FleetConnectHarness {
    public static void main(String[] args) throws Exception {
        int devices = 5000;
        int hold = 30;
        int interval = 30;
        int concurrency = 64;
        int ioThreads = 2;
        Path dir = null;
        String peer = "holdfast";
        String serverHeap = "1g";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--devices" -> devices = Integer.parseInt(args[++i]);
                case "--hold" -> hold = Integer.parseInt(args[++i]);
                case "--interval-seconds" -> interval = Integer.parseInt(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--io-threads" -> ioThreads = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--peer" -> peer = args[++i];
                case "--server-heap" -> serverHeap = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (dir == null) dir = Files.createTempDirectory("fleet-bench");
        if (peer.equals("holdfast")) {
            againstHoldfast(dir, devices, hold, interval, concurrency, ioThreads, serverHeap);
            return;
        }
        if (!peer.equals("mosquitto")) throw new IllegalArgumentException("--peer " + peer + " (expected: holdfast or mosquitto)");
        Factory factory = Factory.generate("Bench Manufacturer");
        DeviceKey brokerCaKey = SoftwareKeys.generateP256();
        X509Certificate brokerCa = ca(brokerCaKey);
        DeviceKey serverKey = SoftwareKeys.generateP256();
        X509Certificate serverCert = server(brokerCaKey, brokerCa, serverKey);
        Files.writeString(dir.resolve("ca.pem"), Certificates.toPem(List.of(brokerCa, factory.certificate())));
        Files.writeString(dir.resolve("server.pem"), Certificates.toPem(List.of(serverCert)));
        Files.writeString(dir.resolve("server.key"), Certificates.pem("PRIVATE KEY", serverKey.privateKey().getEncoded()));
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n", "user " + System.getProperty("user.name"), "allow_anonymous true",
                "log_dest stderr", "log_type error", "max_queued_messages 100", "listener " + port + " 127.0.0.1",
                "cafile " + dir.resolve("ca.pem"), "certfile " + dir.resolve("server.pem"), "keyfile " + dir.resolve("server.key"),
                "require_certificate true", "") + "\n");
        Process mosquitto = new ProcessBuilder("mosquitto", "-c", dir.resolve("mosquitto.conf").toString()).inheritIO().start();
        try {
            waitForPort(port);
            System.out.printf("machine: %d CPUs visible, load average %.2f; JVM max heap %d MiB; peer: mosquitto on 127.0.0.1:%d%n",
                    Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().maxMemory() >> 20, port);
            SimulationConfig config = SimulationConfig.builder(factory, List.of(brokerCa)).devices(devices).directTo("127.0.0.1", port)
                    .telemetryInterval(Duration.ofSeconds(interval)).misconfiguredShare(0.1).concurrency(concurrency).ioThreads(ioThreads)
                    .reportPosture(false).build();
            Instant start = Instant.now();
            try (FleetSimulator sim = FleetSimulator.start(config, System.out::println)) {
                SimulationReport up = sim.report();
                System.out.println("fleet up after " + Duration.between(start, Instant.now()).toMillis() + " ms");
                System.out.println(up.summary());
                Thread.sleep(hold * 1000L);
                System.out.println("after holding " + hold + " s:");
                System.out.println(sim.report().summary());
                System.out.printf("live threads: %d%n", Thread.activeCount());
            }
        } finally {
            mosquitto.destroy();
            mosquitto.waitFor();
        }
    }

    static final String HUB = "hub-bench.holdfast.test";

    /** The fleet against a Holdfast server in its own JVM: DPS over HTTPS with a CSR, then MQTT to the hub. */
    static void againstHoldfast(Path dir, int devices, int hold, int interval, int concurrency, int ioThreads, String serverHeap) throws Exception {
        int https = freePort();
        int mqtt = freePort();
        Path data = dir.resolve("data");
        Path config = dir.resolve("holdfast.yaml");
        // Every device comes from 127.0.0.1: the per-source limits that guard a real hub would refuse the bench itself.
        Files.writeString(config, String.join("\n",
                "server.https.bindAddress: 127.0.0.1", "server.https.port: " + https, "server.publicHostname: 127.0.0.1",
                "server.tls.subjectAltNames: [" + HUB + "]", "server.shutdownGracePeriod: 2s",
                "hub.mqtt.bindAddress: 127.0.0.1", "hub.mqtt.port: " + mqtt,
                "hub.limits.connectionsPerSecondPerSource: 100000",
                "provisioning.rateLimit.perDevicePerMinute: 0", "provisioning.rateLimit.perSourcePerMinute: 0", ""));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-Xmx" + serverHeap, "-cp", System.getProperty("java.class.path"),
                "dev.holdfast.server.Main", "server", "--data-dir", data.toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
        // The CA passphrase goes through the environment, never the command line.
        pb.environment().put("HOLDFAST_CA_PASSPHRASE", java.util.UUID.randomUUID().toString());
        Process server = pb.start();
        try {
            waitForPort(https, 1200);
            waitForPort(mqtt, 100);
            System.out.printf("machine: %d CPUs visible, load average %.2f; simulator JVM max heap %d MiB; open-files limit %s; "
                            + "peer: Holdfast server (pid %d, -Xmx%s) https 127.0.0.1:%d, hub mqtt 127.0.0.1:%d; server RSS %d MiB%n",
                    Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().maxMemory() >> 20, openFilesLimit(), server.pid(), serverHeap, https, mqtt, rssKib(server.pid()) >> 10);
            URI base = URI.create("https://127.0.0.1:" + https);
            List<X509Certificate> trust = Certificates.readPem(data.resolve("bootstrap/trust-bundle.pem"));
            String admin = Files.readString(data.resolve("bootstrap/admin.token")).strip();
            Factory factory = Factory.generate("Bench Manufacturer");
            EnrollmentApi enrollments = new EnrollmentApi(base, trust, admin);
            enrollments.ensureHub("bench-hub", HUB, 1);
            enrollments.ensureGroup("bench-factory", factory);
            String idScope = scope(base, trust, admin);
            SimulationConfig config2 = SimulationConfig.builder(factory, trust).devices(devices).idPrefix("bench")
                    .provisionOverHttps(base, idScope).hubConnectHost("127.0.0.1", mqtt)
                    .telemetryInterval(Duration.ofSeconds(interval)).misconfiguredShare(0.1).concurrency(concurrency).ioThreads(ioThreads)
                    .reportPosture(false).build();
            long rssBefore = rssKib(server.pid());
            Instant start = Instant.now();
            try (FleetSimulator sim = FleetSimulator.start(config2, System.out::println)) {
                SimulationReport up = sim.report();
                System.out.println("fleet up (provisioned and connected) after " + Duration.between(start, Instant.now()).toMillis() + " ms");
                System.out.println(up.summary());
                long rssUp = rssKib(server.pid());
                System.out.printf("server RSS %d MiB before the fleet, %d MiB with it (%d KiB per connected device)%n", rssBefore >> 10, rssUp >> 10,
                        up.connected() == 0 ? 0 : (rssUp - rssBefore) / up.connected());
                Thread.sleep(hold * 1000L);
                System.out.println("after holding " + hold + " s:");
                System.out.println(sim.report().summary());
                // "connected" in the report counts devices that ever connected; holding means connected now, with no drop meanwhile.
                long now = sim.devices().stream().filter(d -> d.client() != null && d.client().isConnected()).count();
                long drops = sim.devices().stream().filter(d -> d.client() != null).mapToLong(d -> d.client().stats().disconnects()).sum();
                System.out.printf("connected now: %d; disconnections since connecting: %d%n", now, drops);
                System.out.printf("live threads: %d; server RSS %d MiB; load average %.2f%n", Thread.activeCount(), rssKib(server.pid()) >> 10,
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            }
        } finally {
            server.destroy(); // SIGTERM: the server shuts down gracefully
            if (!server.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
        }
    }

    static String scope(URI base, List<X509Certificate> trust, String token) throws Exception {
        try (var http = java.net.http.HttpClient.newBuilder().sslContext(dev.holdfast.pki.TlsPolicy.clientContext(trust)).build()) {
            var r = http.send(java.net.http.HttpRequest.newBuilder(base.resolve("/api/v1/provisioning/scope")).header("Authorization", "Bearer " + token)
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("GET /api/v1/provisioning/scope: " + r.statusCode() + " " + r.body());
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("idScope").asText();
        }
    }

    static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    static String openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) return line.substring(26).trim().replaceAll("\\s+", " ");
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }

    static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static X509Certificate ca(DeviceKey key) throws Exception {
        X500Principal name = new X500Principal("CN=Bench Broker CA");
        var b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plus(Duration.ofDays(2))), name, key.publicKey());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
        return new JcaX509CertificateConverter().getCertificate(b.build(Certificates.signer(key)));
    }

    static X509Certificate server(DeviceKey caKey, X509Certificate ca, DeviceKey key) throws Exception {
        var b = new JcaX509v3CertificateBuilder(ca.getSubjectX500Principal(), BigInteger.TWO, Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plus(Duration.ofDays(2))), new X500Principal("CN=127.0.0.1"), key.publicKey());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        return new JcaX509CertificateConverter().getCertificate(b.build(Certificates.signer(caKey)));
    }

    static void waitForPort(int port) throws Exception {
        waitForPort(port, 100);
    }

    static void waitForPort(int port, int tries) throws Exception {
        for (int i = 0; i < tries; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("nothing listens on 127.0.0.1:" + port);
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
