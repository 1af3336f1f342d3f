package dev.holdfast.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.sensor.analysis.OuiTable;
import dev.holdfast.sensor.analysis.Report;
import dev.holdfast.sensor.analysis.SensorAnalysis;
import dev.holdfast.sensor.analysis.SensorConfig;
import dev.holdfast.sensor.live.LiveCapture;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live capture (libpcap through pcap4j) on the host end of a veth pair whose other end is in a
 * network namespace made here. Real tools make the traffic: mbpoll (in the namespace) against a
 * Modbus/TCP server on the host, mosquitto_pub against mosquitto in the namespace, curl against
 * busybox httpd in the namespace, and busybox udhcpc (in the namespace) against dnsmasq on the
 * host. Each device must appear in the inventory within two seconds of its traffic.
 */
class LiveCaptureIT {
    private static final String HOST_IP = "10.77.0.1", NS_IP = "10.77.0.2";
    @TempDir
    Path dir;
    private String ns, hostIf, nsIf;
    private Path ip;

    static void sh(List<String> cmd) {
        ProcessRun.run(null, cmd, Map.of(), null, 30).assertSuccess(String.join(" ", cmd));
    }

    @BeforeEach
    void namespace() {
        ip = ExternalTool.require("ip");
        if (!"0".equals(ProcessRun.run(null, List.of("id", "-u")).stdout().strip())) {
            String m = "network namespaces need root";
            if (ExternalTool.isCi()) throw new AssertionError(m);
            org.junit.jupiter.api.Assumptions.abort(m);
        }
        int id = ThreadLocalRandom.current().nextInt(10_000, 99_999);
        ns = "hfsensor" + id;
        hostIf = "hfh" + id;
        nsIf = "hfn" + id;
        sh(List.of(ip.toString(), "netns", "add", ns));
        sh(List.of(ip.toString(), "link", "add", hostIf, "type", "veth", "peer", "name", nsIf));
        sh(List.of(ip.toString(), "link", "set", nsIf, "netns", ns));
        sh(List.of(ip.toString(), "addr", "add", HOST_IP + "/24", "dev", hostIf));
        sh(List.of(ip.toString(), "link", "set", hostIf, "up"));
        sh(List.of(ip.toString(), "netns", "exec", ns, "ip", "addr", "add", NS_IP + "/24", "dev", nsIf));
        sh(List.of(ip.toString(), "netns", "exec", ns, "ip", "link", "set", nsIf, "up"));
        sh(List.of(ip.toString(), "netns", "exec", ns, "ip", "link", "set", "lo", "up"));
    }

    @AfterEach
    void removeNamespace() {
        if (ns == null) return;
        ProcessRun.run(null, List.of(ip.toString(), "link", "del", hostIf));
        ProcessRun.run(null, List.of(ip.toString(), "netns", "del", ns));
    }

    Process inNs(String log, String... cmd) throws IOException {
        List<String> full = new java.util.ArrayList<>(List.of(ip.toString(), "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
    }

    static void stop(Process p) throws InterruptedException {
        if (p == null) return;
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }

    /** Polls the running inventory; returns how long the asset took to appear. */
    static long awaitAsset(SensorAnalysis a, long sinceNanos, String what, Predicate<Report.AssetView> match) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            List<Report.AssetView> assets;
            synchronized (a) {
                assets = a.assets();
            }
            if (assets.stream().anyMatch(match)) return (System.nanoTime() - sinceNanos) / 1_000_000;
            Thread.sleep(50);
        }
        synchronized (a) {
            throw new AssertionError(what + " did not appear within 5 s; inventory: " + a.assets());
        }
    }

    /** A minimal Modbus/TCP server answering every request with an empty exception-free echo of the header. */
    static Thread modbusServer(ServerSocket server) {
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(3000);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] h = new byte[7];
                    while (in.readNBytes(h, 0, 7) == 7) {
                        int len = ((h[4] & 0xFF) << 8) | (h[5] & 0xFF);
                        byte[] pdu = in.readNBytes(len - 1);
                        int count = pdu.length >= 5 ? ((pdu[3] & 0xFF) << 8) | (pdu[4] & 0xFF) : 1;
                        byte[] reply = new byte[9 + 2 * count];
                        System.arraycopy(h, 0, reply, 0, 7);
                        reply[4] = (byte) ((3 + 2 * count) >> 8);
                        reply[5] = (byte) (3 + 2 * count);
                        reply[7] = pdu[0];
                        reply[8] = (byte) (2 * count);
                        out.write(reply);
                        out.flush();
                    }
                } catch (IOException e) {
                    // connection over or server closed
                }
            }
        }, "modbus-test-server");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    @org.junit.jupiter.api.Timeout(180)
    void realToolsTraffic_appearsInTheInventoryWithinTwoSeconds() throws Exception {
        Path mbpoll = ExternalTool.require("mbpoll");
        Path mosquitto = ExternalTool.require("mosquitto");
        Path pub = ExternalTool.require("mosquitto_pub");
        Path curl = ExternalTool.require("curl");
        Path busybox = ExternalTool.require("busybox");
        Path dnsmasq = ExternalTool.require("dnsmasq");
        SensorAnalysis analysis = new SensorAnalysis(SensorConfig.defaults().withLearningPeriod(Duration.ofHours(1)), OuiTable.load());
        Process broker = null, httpd = null, dhcpServer = null;
        try (LiveCapture capture = LiveCapture.open(hostIf, "tcp or udp or arp", 65535);
             ServerSocket modbus = new ServerSocket(1502, 50, InetAddress.getByName(HOST_IP))) {
            Thread capturing = new Thread(() -> capture.run(analysis, Duration.ofMinutes(2).toNanos()), "live-capture");
            capturing.setDaemon(true);
            capturing.start();
            modbusServer(modbus);
            Files.writeString(dir.resolve("mosquitto.conf"), "listener 1883 " + NS_IP + "\nallow_anonymous true\n");
            broker = inNs("mosquitto.log", mosquitto.toString(), "-c", dir.resolve("mosquitto.conf").toString());
            Files.createDirectories(dir.resolve("www"));
            Files.writeString(dir.resolve("www/index.html"), "hello\n");
            httpd = inNs("httpd.log", busybox.toString(), "httpd", "-f", "-p", NS_IP + ":8080", "-h", dir.resolve("www").toString());
            Thread.sleep(500);

            long t0 = System.nanoTime();
            ProcessRun.run(null, List.of(ip.toString(), "netns", "exec", ns, mbpoll.toString(), "-m", "tcp", "-p", "1502", "-a", "1", "-r", "1",
                    "-c", "4", "-1", HOST_IP), Map.of(), null, 30).assertSuccess("mbpoll");
            long modbusMs = awaitAsset(analysis, t0, "Modbus server", v -> v.ips().contains(HOST_IP) && v.protocolsServed().contains("MODBUS"));

            long t1 = System.nanoTime();
            ProcessRun.run(null, List.of(pub.toString(), "-h", NS_IP, "-i", "live-meter-1", "-t", "plant/power", "-m", "7"), Map.of(), null, 30)
                    .assertSuccess("mosquitto_pub");
            long mqttMs = awaitAsset(analysis, t1, "MQTT broker", v -> v.ips().contains(NS_IP) && v.protocolsServed().contains("MQTT"));

            long t2 = System.nanoTime();
            ProcessRun.run(null, List.of(curl.toString(), "-sS", "-A", "holdfast-live-test/1.0", "http://" + NS_IP + ":8080/index.html"), Map.of(), null, 30)
                    .assertSuccess("curl");
            long httpMs = awaitAsset(analysis, t2, "HTTP client software", v -> v.ips().contains(HOST_IP)
                    && v.software().stream().anyMatch(s -> s.contains("holdfast-live-test/1.0")));

            dhcpServer = new ProcessBuilder(dnsmasq.toString(), "--no-daemon", "--conf-file=/dev/null", "--port=0", "--interface=" + hostIf,
                    "--bind-interfaces", "--dhcp-range=10.77.0.100,10.77.0.150,1h", "--dhcp-leasefile=" + dir.resolve("leases"), "--pid-file=" + dir.resolve("dnsmasq.pid"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("dnsmasq.log").toFile()).start();
            Thread.sleep(500);
            long t3 = System.nanoTime();
            Process udhcpc = new ProcessBuilder(ip.toString(), "netns", "exec", ns, busybox.toString(), "udhcpc", "-i", nsIf, "-n", "-q", "-t", "3",
                    "-x", "hostname:plc-live-7", "-s", "/bin/true").redirectErrorStream(true).redirectOutput(dir.resolve("udhcpc.log").toFile()).start();
            long dhcpMs = awaitAsset(analysis, t3, "DHCP host name", v -> v.names().contains("plc-live-7"));
            assertThat(udhcpc.waitFor(30, TimeUnit.SECONDS)).as("udhcpc finished").isTrue();
            assertThat(udhcpc.exitValue()).as("udhcpc got a lease: " + Files.readString(dir.resolve("udhcpc.log"))).isZero();

            System.out.printf("asset latency: modbus %d ms, mqtt %d ms, http %d ms, dhcp %d ms%n", modbusMs, mqttMs, httpMs, dhcpMs);
            assertThat(List.of(modbusMs, mqttMs, httpMs, dhcpMs)).allMatch(ms -> ms <= 2000);
            capture.stop();
            capturing.join(5000);
            synchronized (analysis) {
                Report r = analysis.report();
                assertThat(r.assets()).filteredOn(v -> v.names().contains("plc-live-7")).singleElement()
                        .satisfies(v -> assertThat(v.dhcpFingerprint()).isNotBlank());
                assertThat(r.assets()).filteredOn(v -> v.ips().contains(NS_IP)).singleElement()
                        .satisfies(v -> assertThat(v.protocolsServed()).contains("MQTT", "HTTP"));
            }
        } finally {
            stop(broker);
            stop(httpd);
            stop(dhcpServer);
        }
    }
}
