package dev.holdfast.server.device;

import dev.holdfast.device.Certificates;
import dev.holdfast.device.DeviceRuntime;
import dev.holdfast.device.SoftwareKeys;
import dev.holdfast.device.hub.Backoff;
import dev.holdfast.device.hub.HubClient;
import dev.holdfast.device.hub.HubClientConfig;
import dev.holdfast.device.hub.Message;
import dev.holdfast.device.hub.OverflowPolicy;
import dev.holdfast.device.provisioning.HttpsProvisioningClient;
import dev.holdfast.device.provisioning.ProvisioningClient;
import dev.holdfast.device.sim.EnrollmentApi;
import dev.holdfast.device.sim.Factory;
import dev.holdfast.hub.internal.JdbcTelemetryStore;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7: the device SDK survives a restart of the Holdfast server itself (not a stand-in broker)
 * mid-stream without losing a message the hub acknowledged. The device is provisioned the way a real
 * one is (IDevID from a manufacturer CA, DPS over HTTPS with a CSR), streams QoS 1 telemetry while
 * the server is closed and started again on the same data directory and ports, reconnects with its
 * backoff, and every message whose future completed must be in the hub's durable telemetry store
 * afterwards. Duplicates are allowed (at least once) and reported.
 */
class HubClientRestartIT {
    static final String HUB = "hub-r.restart.holdfast.test";
    static final int MESSAGES = 400;
    static final int RESTART_AFTER_ACKS = 120;

    @TempDir
    Path dir;

    @Test
    void serverRestartMidStream_losesNoAcknowledgedTelemetry() throws Exception {
        Path data = dir.resolve("data");
        // Both ports pinned: the restarted server must be where the device (and its certificate's CRL pointers) expect it.
        HoldfastConfig config = TestServers.loopbackConfig(TestServers.freePort())
                .with(Settings.HUB_MQTT_PORT, TestServers.freePort())
                .with(Settings.SERVER_TLS_SUBJECT_ALT_NAMES, List.of(HUB));
        HoldfastServer server = TestServers.start(data, config);
        try (DeviceRuntime runtime = DeviceRuntime.create(1)) {
            URI base = URI.create("https://127.0.0.1:" + server.httpsPort());
            int hubPort = server.hub().orElseThrow().hub().port();
            List<X509Certificate> trust = Certificates.readPem(data.resolve("bootstrap/trust-bundle.pem"));
            String admin = Files.readString(data.resolve("bootstrap/admin.token")).strip();
            Factory factory = Factory.generate("Restart Devices Manufacturer CA");
            EnrollmentApi enrollments = new EnrollmentApi(base, trust, admin);
            enrollments.ensureHub("hub-r", HUB, 1);
            enrollments.ensureGroup("restart-factory", factory);
            String idScope = server.provisioning().provisioning().idScope();

            ProvisioningClient.Provisioned p = new HttpsProvisioningClient(base, trust)
                    .provision(idScope, factory.manufacture("restart-meter-1", Duration.ofDays(1)), SoftwareKeys.generateP256(), Optional.empty());
            assertThat(p.hubHost()).isEqualTo(HUB);

            HubClientConfig hubConfig = HubClientConfig.builder(p.hubHost(), p.deviceId(), p.operational(), trust).port(hubPort)
                    // A short keep-alive: should a stopping server leave the TCP connection half open, the SDK's
                    // dead-peer detection (no packet for 1.5 x keep-alive) ends it rather than the test's timeout.
                    .connectHost("127.0.0.1").keepAlive(Duration.ofSeconds(4)).backoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2)))
                    .buffer(MESSAGES, OverflowPolicy.REJECT_NEW).build();
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            try (HubClient client = HubClient.create(runtime, hubConfig)) {
                client.connect().get(30, TimeUnit.SECONDS);
                Thread sender = Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < MESSAGES; i++) {
                        CompletableFuture<Void> f = client.sendTelemetry(Message.json("{\"seq\":" + i + "}"));
                        synchronized (futures) {
                            futures.add(f);
                        }
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });

                awaitAcks(futures, RESTART_AFTER_ACKS, Duration.ofSeconds(60));
                long acksBeforeStop = acked(futures);
                server.close();
                long stoppedAt = System.nanoTime();
                server = TestServers.start(data, config);
                System.out.printf("restart: server back after %d ms; client connects %d, disconnects %d, last error '%s'%n",
                        (System.nanoTime() - stoppedAt) / 1_000_000, client.stats().connects(), client.stats().disconnects(), client.stats().lastError());
                assertThat(server.hub().orElseThrow().hub().port()).isEqualTo(hubPort);

                sender.join(Duration.ofSeconds(60));
                assertThat(sender.isAlive()).as("the sender finished its bounded loop").isFalse();
                // Every message the SDK accepted must end acknowledged once the device is back (nothing is dropped: REJECT_NEW, buffer = N).
                try {
                    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("after the restart only " + acked(futures) + " of " + futures.size() + " acknowledged ("
                            + acksBeforeStop + " before the stop); client " + client.stats(), e);
                }
                HubClient.Stats stats = client.stats();
                assertThat(stats.connects()).as("reconnected after the restart").isGreaterThanOrEqualTo(2);
                assertThat(acksBeforeStop).isLessThan(MESSAGES);

                JdbcTelemetryStore store = server.hub().orElseThrow().hub().telemetryStore();
                Map<Integer, Integer> stored = new HashMap<>();
                Pattern seq = Pattern.compile("\"seq\":(\\d+)");
                for (JdbcTelemetryStore.Stored s : store.recent(p.deviceId(), MESSAGES * 20)) {
                    Matcher m = seq.matcher(new String(s.message().body().toArray(), StandardCharsets.UTF_8));
                    if (m.find()) stored.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
                }
                List<Integer> lost = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    if (futures.get(i).isDone() && !futures.get(i).isCompletedExceptionally() && !stored.containsKey(i)) lost.add(i);
                }
                long duplicates = stored.values().stream().mapToLong(n -> n - 1).sum();
                System.out.printf("restart: %d sent, %d acknowledged before the stop, %d stored, %d duplicates, %d connects, stats %s%n",
                        MESSAGES, acksBeforeStop, stored.size(), duplicates, stats.connects(), stats);
                assertThat(acked(futures)).isEqualTo(MESSAGES);
                assertThat(lost).as("acknowledged but not in the hub's store").isEmpty();
                assertThat(stored.keySet()).hasSize(MESSAGES);
            }
        } finally {
            server.close();
        }
    }

    private static long acked(List<CompletableFuture<Void>> futures) {
        synchronized (futures) {
            return futures.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
        }
    }

    private static void awaitAcks(List<CompletableFuture<Void>> futures, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acked(futures) < n) {
            if (System.nanoTime() > deadline) throw new AssertionError("only " + acked(futures) + " of " + n + " acknowledged within " + timeout);
            Thread.sleep(20);
        }
    }
}
