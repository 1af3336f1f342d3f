package dev.holdfast.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.sensor.analysis.Alert;
import dev.holdfast.sensor.analysis.OuiTable;
import dev.holdfast.sensor.analysis.Report;
import dev.holdfast.sensor.analysis.SensorAnalysis;
import dev.holdfast.sensor.analysis.SensorConfig;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real tools on loopback, captured by {@code dumpcap} into pcapng: {@code openssl s_server} and
 * {@code s_client} (TLS 1.3, 1.2 and, for the attack, 1.0 with a 1024-bit RSA certificate) and
 * {@code mosquitto} with {@code mosquitto_pub} (anonymous, then with a password). tshark judges
 * the SNI, TLS versions and MQTT client ids; then the clean session is the baseline, its replay
 * raises nothing and the attack session raises weak TLS, weak certificate and cleartext credentials.
 */
class RealClientsIT {
    @TempDir
    Path dir;

    /** tshark only dissects MQTT on 1883 by itself; the brokers here listen on free ports. */
    private final List<String> decodeAs = new ArrayList<>();

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    Process start(List<String> cmd, String log) throws IOException {
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
    }

    static void awaitLog(Path log, String text) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (Files.exists(log) && Files.readString(log).contains(text)) return;
            Thread.sleep(50);
        }
        throw new AssertionError("'" + text + "' never appeared in " + log + ": " + (Files.exists(log) ? Files.readString(log) : "(none)"));
    }

    static void stop(Process p) throws InterruptedException {
        if (p == null) return;
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }

    /** One captured session: TLS clients of the given versions against a server with the given key size, and one mosquitto_pub. */
    Path session(String name, int rsaBits, List<String> tlsFlags, String mqttPassword) throws Exception {
        Path dumpcap = ExternalTool.require("dumpcap");
        Path openssl = ExternalTool.require("openssl");
        Path mosquitto = ExternalTool.require("mosquitto");
        Path pub = ExternalTool.require("mosquitto_pub");
        int tlsPort = freePort(), mqttPort = freePort();
        decodeAs.add("tcp.port==" + mqttPort + ",mqtt");
        Path key = dir.resolve(name + ".key"), cert = dir.resolve(name + ".crt");
        ProcessRun.run(dir, List.of(openssl.toString(), "req", "-x509", "-newkey", "rsa:" + rsaBits, "-nodes", "-keyout", key.toString(),
                "-out", cert.toString(), "-days", "30", "-subj", "/CN=" + name + ".sensor.test")).assertSuccess("openssl req");
        Files.writeString(dir.resolve(name + "-mosquitto.conf"), "listener " + mqttPort + " 127.0.0.1\nallow_anonymous true\n");
        Path pcap = dir.resolve(name + ".pcapng");
        Process capture = null, tls = null, broker = null;
        try {
            capture = start(List.of(dumpcap.toString(), "-i", "lo", "-f", "tcp port " + tlsPort + " or tcp port " + mqttPort, "-w", pcap.toString()), name + "-dumpcap.log");
            awaitLog(dir.resolve(name + "-dumpcap.log"), "Capturing on");
            tls = start(List.of(openssl.toString(), "s_server", "-accept", "127.0.0.1:" + tlsPort, "-key", key.toString(), "-cert", cert.toString(),
                    "-cipher", "DEFAULT@SECLEVEL=0", "-naccept", String.valueOf(tlsFlags.size())), name + "-s_server.log");
            broker = start(List.of(mosquitto.toString(), "-c", dir.resolve(name + "-mosquitto.conf").toString()), name + "-mosquitto.log");
            awaitLog(dir.resolve(name + "-s_server.log"), "ACCEPT");
            Thread.sleep(300);
            for (String flag : tlsFlags) {
                ProcessRun.run(dir, List.of(openssl.toString(), "s_client", "-connect", "127.0.0.1:" + tlsPort, "-servername", name + ".sensor.test",
                        flag, "-cipher", "DEFAULT@SECLEVEL=0"), Map.of(), new byte[0], 30);
            }
            List<String> p = new ArrayList<>(List.of(pub.toString(), "-h", "127.0.0.1", "-p", String.valueOf(mqttPort), "-i", name + "-meter-7",
                    "-t", "plant/" + name + "/power", "-m", "42"));
            if (mqttPassword != null) p.addAll(List.of("-u", "meter", "-P", mqttPassword));
            ProcessRun.run(dir, p, Map.of(), null, 30).assertSuccess("mosquitto_pub");
            Thread.sleep(500);
        } finally {
            stop(tls);
            stop(broker);
            stop(capture);
        }
        assertThat(pcap).exists();
        return pcap;
    }

    @Test
    void realTlsAndMqttClients_agreeWithTsharkAndRaiseTheExpectedAlerts() throws Exception {
        Path tshark = ExternalTool.require("tshark");
        Path clean = session("clean", 2048, List.of("-tls1_3", "-tls1_2"), null);
        Path attack = session("attack", 1024, List.of("-tls1"), "hunter2-secret");

        List<String> disagreements = new ArrayList<>();
        Map<String, long[]> table = TsharkAgreementIT.compare(tshark, List.of(clean, attack), disagreements, decodeAs);
        System.out.println(TsharkAgreementIT.render(table));
        disagreements.forEach(System.out::println);
        for (String f : List.of("tls.handshake.extensions_server_name", "tls.handshake.version", "mqtt.clientid", "tls.handshake.ja3")) {
            long[] c = table.get(f);
            assertThat(c[1]).as(f + " compared").isPositive();
            assertThat(c[0]).as(f + " agreement").isEqualTo(c[1]);
        }

        SensorAnalysis a = new SensorAnalysis(SensorConfig.defaults().withLearningPeriod(Duration.ofHours(1)), OuiTable.load());
        a.learn(clean);
        a.analyze(clean);
        assertThat(a.report().alerts()).as("replay of the baseline").isEmpty();
        a.analyze(attack);
        Report r = a.report();
        r.alerts().forEach(x -> System.out.println(x.kind() + ": " + x.observed() + " | " + x.baseline() + " | " + x.packetTimes()));
        assertThat(r.alerts()).extracting(Alert::kind)
                .contains(Alert.Kind.WEAK_TLS, Alert.Kind.WEAK_CERTIFICATE, Alert.Kind.CLEARTEXT_CREDENTIALS);
        assertThat(r.alerts()).extracting(Alert::observed).noneMatch(o -> o.contains("hunter2"));
    }
}
