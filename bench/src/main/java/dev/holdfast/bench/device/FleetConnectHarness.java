package dev.holdfast.bench.device;

import dev.holdfast.device.Certificates;
import dev.holdfast.device.DeviceKey;
import dev.holdfast.device.SoftwareKeys;
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
 * <p>Peer: until the Holdfast hub exists (issue 5), the harness starts a local Mosquitto (TLS,
 * client certificates required, the simulator's manufacturer CA trusted) and the devices connect
 * with their IDevIDs ({@code --provisioning none}); both sides of the handshake run on this machine.
 * After the merge, run {@code holdfast sim --devices 5000} against a local server instead.
 *
 * <pre>
 * java -Xmx2g -cp "bench/target/holdfast-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" dev.holdfast.bench.device.FleetConnectHarness \
 *   [--devices 5000] [--hold 30] [--interval-seconds 30] [--concurrency 64] [--io-threads 2] [--dir DIR]
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
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--devices" -> devices = Integer.parseInt(args[++i]);
                case "--hold" -> hold = Integer.parseInt(args[++i]);
                case "--interval-seconds" -> interval = Integer.parseInt(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--io-threads" -> ioThreads = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (dir == null) dir = Files.createTempDirectory("fleet-bench");
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
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("mosquitto did not listen on " + port);
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
