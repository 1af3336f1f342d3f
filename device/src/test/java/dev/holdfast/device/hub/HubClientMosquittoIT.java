package dev.holdfast.device.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.device.DeviceIdentity;
import dev.holdfast.device.DeviceRuntime;
import dev.holdfast.device.Mosquitto;
import dev.holdfast.device.SoftwareKeys;
import dev.holdfast.device.internal.MqttConnection;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import dev.holdfast.testing.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub client's MQTT mechanics against a real Mosquitto broker over mutual TLS. Mosquitto does
 * not speak the hub's protocol, so the tests play the hub's part: mosquitto_sub reads telemetry,
 * mosquitto_pub sends cloud-to-device messages, and a test-side MQTT client answers twin requests
 * and calls methods on the topics the hub would use.
 */
class HubClientMosquittoIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DEVICE = "dev-1";

    @TempDir
    Path dir;
    TestCertificates.Root root;
    Mosquitto broker;
    DeviceRuntime runtime;
    HubClient client;

    @BeforeEach
    void start() {
        root = TestCertificates.newRoot("Test Root");
        broker = Mosquitto.start(dir.resolve("broker"), root);
        runtime = DeviceRuntime.create();
    }

    @AfterEach
    void stop() {
        if (client != null) client.close();
        runtime.close();
        broker.close();
    }

    DeviceIdentity identity(String cn) {
        TestCertificates.Issued issued = root.issueClient(cn);
        return new DeviceIdentity(SoftwareKeys.of(new KeyPair(issued.certificate().getPublicKey(), issued.key())), issued.chain());
    }

    HubClient client(String deviceId) {
        return HubClient.create(runtime, HubClientConfig.builder("127.0.0.1", deviceId, identity(deviceId), List.of(root.certificate()))
                .port(broker.port()).backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500))).requestTimeout(Duration.ofSeconds(10))
                .build());
    }

    /** mosquitto_sub/pub with a client certificate from the test root. */
    List<String> tool(String name, String cn) {
        TestCertificates.Issued issued = root.issueClient(cn);
        Path cert = TestCertificates.writePem(dir.resolve(cn + ".pem"), issued.certificate());
        Path key = TestCertificates.writeKeyPem(dir.resolve(cn + ".key"), issued.key());
        return new ArrayList<>(List.of(ExternalTool.require(name).toString(), "-h", "127.0.0.1", "-p", String.valueOf(broker.port()),
                "--cafile", broker.caPem().toString(), "--cert", cert.toString(), "--key", key.toString()));
    }

    /** Registers a persistent QoS 1 session that queues telemetry until {@link #drain} reads it. */
    void persistentSubscriber(String id, String topic) {
        List<String> cmd = tool("mosquitto_sub", id);
        cmd.addAll(List.of("-c", "-i", id, "-q", "1", "-t", topic, "-E"));
        ProcessRun.run(dir, cmd, Map.of(), null, 30).assertSuccess("mosquitto_sub -E");
    }

    List<String> drain(String id, String topic, int count) {
        List<String> cmd = tool("mosquitto_sub", id);
        cmd.addAll(List.of("-c", "-i", id, "-q", "1", "-t", topic, "-v", "-C", String.valueOf(count), "-W", "30"));
        ProcessRun run = ProcessRun.run(dir, cmd, Map.of(), null, 60);
        assertThat(run.exitCode()).as("mosquitto_sub: %s\nbroker: %s", run.output(), broker.log()).isZero();
        return run.stdout().lines().toList();
    }

    @Test
    void telemetry_isPublishedAtQos1WithItsPropertyBag_andReadByMosquittoSub() throws Exception {
        persistentSubscriber("reader", "devices/" + DEVICE + "/messages/events/#");
        client = client(DEVICE);
        client.connect().get(15, TimeUnit.SECONDS);

        client.sendTelemetry(Message.json("{\"t\":21.5}").with("$.mid", "m-1").with("alarm", "high temp")).get(10, TimeUnit.SECONDS);
        client.sendTelemetry(Message.of("raw".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);

        List<String> lines = drain("reader", "devices/" + DEVICE + "/messages/events/#", 2);
        assertThat(lines).containsExactly(
                "devices/dev-1/messages/events/$.ct=application%2Fjson&$.ce=utf-8&$.mid=m-1&alarm=high%20temp {\"t\":21.5}",
                "devices/dev-1/messages/events/ raw");
        assertThat(client.stats().telemetryAcknowledged()).isEqualTo(2);
    }

    @Test
    void cloudToDevice_fromMosquittoPub_reachesTheCallbackWithDecodedProperties() throws Exception {
        LinkedBlockingQueue<Message> received = new LinkedBlockingQueue<>();
        client = client(DEVICE).onCloudToDevice(received::add);
        client.connect().get(15, TimeUnit.SECONDS);

        List<String> pub = tool("mosquitto_pub", "service");
        pub.addAll(List.of("-q", "1", "-t", "devices/dev-1/messages/devicebound/%24.mid=c2d-7&%24.to=%2Fdevices%2Fdev-1&color=deep%20blue", "-m", "open valve"));
        ProcessRun.run(dir, pub, Map.of(), null, 30).assertSuccess("mosquitto_pub");

        Message m = received.poll(15, TimeUnit.SECONDS);
        assertThat(m).isNotNull();
        assertThat(m.bodyText()).isEqualTo("open valve");
        assertThat(m.properties()).containsEntry("$.mid", "c2d-7").containsEntry("$.to", "/devices/dev-1").containsEntry("color", "deep blue");
        assertThat(client.stats().cloudMessages()).isEqualTo(1);
    }

    @Test
    void cloudToDevice_whoseCallbackFails_staysUnacknowledged_andIsDeliveredAgainAfterReconnecting() throws Exception {
        LinkedBlockingQueue<String> attempts = new LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        client = client(DEVICE).onCloudToDevice(m -> {
            attempts.add(m.bodyText());
            if (calls.incrementAndGet() == 1) throw new IllegalStateException("valve busy");
        });
        client.connect().get(15, TimeUnit.SECONDS);

        List<String> pub = tool("mosquitto_pub", "service");
        pub.addAll(List.of("-q", "1", "-t", "devices/dev-1/messages/devicebound/%24.mid=c2d-9", "-m", "close valve"));
        ProcessRun.run(dir, pub, Map.of(), null, 30).assertSuccess("mosquitto_pub");
        assertThat(attempts.poll(15, TimeUnit.SECONDS)).isEqualTo("close valve");
        Thread.sleep(300); // the failed callback has returned without a PUBACK
        client.dropConnection();
        // The persistent session makes the broker deliver the unacknowledged message again.
        assertThat(attempts.poll(20, TimeUnit.SECONDS)).isEqualTo("close valve");
        await().atMost(Duration.ofSeconds(10)).until(() -> client.stats().connects() == 2);
        client.dropConnection();
        assertThat(attempts.poll(3, TimeUnit.SECONDS)).as("acknowledged after the successful callback: not delivered a third time").isNull();
    }

    /** A test-side client that answers twin requests and calls a method, as the hub would. */
    @Test
    void twinAndMethods_roundTripThroughATestSideResponder() throws Exception {
        List<String> reportedPatches = new CopyOnWriteArrayList<>();
        List<String> methodAnswers = new CopyOnWriteArrayList<>();
        CompletableFuture<MqttConnection> hubSide = MqttConnection.connect(runtime.eventLoops(),
                new MqttConnection.Options("127.0.0.1", broker.port(), "127.0.0.1", identity("hub").sslContext(List.of(root.certificate())), "hub",
                        null, true, Duration.ofSeconds(30), Duration.ofSeconds(10), 65536),
                new MqttConnection.Listener() {
                    @Override
                    public void onPublish(MqttConnection hub, String topic, byte[] payload, int qos, int packetId) {
                        if (qos == 1) hub.puback(packetId);
                        String rid = topic.substring(topic.indexOf("$rid=") + 5);
                        if (topic.startsWith("$iothub/twin/GET/")) {
                            hub.publish("$iothub/twin/res/200/?$rid=" + rid,
                                    "{\"desired\":{\"interval\":30,\"$version\":4},\"reported\":{\"fw\":\"1.0\",\"$version\":9}}".getBytes(StandardCharsets.UTF_8), 1);
                        } else if (topic.startsWith("$iothub/twin/PATCH/properties/reported/")) {
                            reportedPatches.add(new String(payload, StandardCharsets.UTF_8));
                            hub.publish("$iothub/twin/res/204/?$rid=" + rid + "&$version=10", new byte[0], 1);
                        } else if (topic.startsWith("$iothub/methods/res/")) {
                            methodAnswers.add(topic + " " + new String(payload, StandardCharsets.UTF_8));
                        }
                    }

                    @Override
                    public void onClosed(MqttConnection source, Throwable cause) {
                    }
                });
        MqttConnection hub = hubSide.get(15, TimeUnit.SECONDS);
        hub.subscribe(List.of("$iothub/twin/GET/#", "$iothub/twin/PATCH/properties/reported/#", "$iothub/methods/res/#")).get(10, TimeUnit.SECONDS);

        LinkedBlockingQueue<Twin.DesiredUpdate> desired = new LinkedBlockingQueue<>();
        client = client(DEVICE).onDesiredUpdate(desired::add)
                .onMethod("reboot", (name, payload) -> MethodResponse.ok("{\"accepted\":true,\"delay\":" + new String(payload, StandardCharsets.UTF_8) + "}"));
        client.connect().get(15, TimeUnit.SECONDS);

        Twin twin = client.twin().get(15, TimeUnit.SECONDS);
        assertThat(twin.desired().path("interval").asInt()).isEqualTo(30);
        assertThat(twin.desiredVersion()).isEqualTo(4);
        assertThat(twin.reportedVersion()).isEqualTo(9);

        ObjectNode patch = JSON.createObjectNode();
        patch.putObject("firmware").put("version", "1.2.3");
        patch.putNull("legacy");
        assertThat(client.updateReported(patch).get(15, TimeUnit.SECONDS)).isEqualTo(10L);
        assertThat(reportedPatches).containsExactly("{\"firmware\":{\"version\":\"1.2.3\"},\"legacy\":null}");

        hub.publish("$iothub/twin/PATCH/properties/desired/?$version=5", "{\"interval\":10,\"$version\":5}".getBytes(StandardCharsets.UTF_8), 1)
                .get(10, TimeUnit.SECONDS);
        Twin.DesiredUpdate update = desired.poll(15, TimeUnit.SECONDS);
        assertThat(update).isNotNull();
        assertThat(update.version()).isEqualTo(5);
        assertThat(update.patch().path("interval").asInt()).isEqualTo(10);

        hub.publish("$iothub/methods/POST/reboot/?$rid=77", "5".getBytes(StandardCharsets.UTF_8), 1).get(10, TimeUnit.SECONDS);
        hub.publish("$iothub/methods/POST/selfDestruct/?$rid=78", "{}".getBytes(StandardCharsets.UTF_8), 1).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(15)).until(() -> methodAnswers.size() == 2);
        assertThat(methodAnswers).containsExactlyInAnyOrder(
                "$iothub/methods/res/200/?$rid=77 {\"accepted\":true,\"delay\":5}",
                "$iothub/methods/res/404/?$rid=78 {\"message\":\"no handler for method selfDestruct\"}");
        hub.close();
    }

    @Test
    void brokerRestart_midStream_losesNoAcknowledgedTelemetry() throws Exception {
        String topic = "devices/" + DEVICE + "/messages/events/#";
        persistentSubscriber("collector", topic);
        client = client(DEVICE);
        client.connect().get(15, TimeUnit.SECONDS);

        int total = 300;
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        Thread sender = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < total; i++) {
                futures.add(client.sendTelemetry(Message.of(("n=" + i).getBytes(StandardCharsets.UTF_8))));
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> client.stats().telemetryAcknowledged() >= 50);
        broker.restart(700);
        sender.join(Duration.ofSeconds(30));
        assertThat(sender.isAlive()).isFalse();

        // Every message the application handed over is acknowledged in the end: the buffer kept and resent them.
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        HubClient.Stats stats = client.stats();
        assertThat(stats.connects()).as("%s", stats).isGreaterThanOrEqualTo(2);
        assertThat(stats.disconnects()).isGreaterThanOrEqualTo(1);
        assertThat(stats.buffered()).isZero();
        assertThat(stats.bufferOverflows()).isZero();

        // At least once: the broker may hold a duplicate of a message whose PUBACK was lost in the restart.
        Set<Integer> received = new HashSet<>();
        List<String> lines = drain("collector", topic, total);
        for (String line : lines) received.add(Integer.parseInt(line.substring(line.indexOf("n=") + 2)));
        if (received.size() < total) {
            // A duplicate took a place in the first count; read what is left until the broker has nothing more for 5 s.
            // (mosquitto_sub -C exits on its last message, possibly before acknowledging it, so the broker sends it again.)
            List<String> cmd = tool("mosquitto_sub", "collector");
            cmd.addAll(List.of("-c", "-i", "collector", "-q", "1", "-t", topic, "-v", "-C", String.valueOf(total), "-W", "5"));
            ProcessRun run = ProcessRun.run(dir, cmd, Map.of(), null, 60);
            assertThat(run.exitCode()).as("mosquitto_sub (0, or 27 when it timed out waiting): %s", run.output()).isIn(0, 27);
            run.stdout().lines().forEach(l -> received.add(Integer.parseInt(l.substring(l.indexOf("n=") + 2))));
        }
        Set<Integer> expected = new HashSet<>();
        for (int i = 0; i < total; i++) expected.add(i);
        assertThat(received).isEqualTo(expected);
    }

    @Test
    void untrustedClientCertificate_isRefusedAndCountedWhileTheClientKeepsRetrying() throws Exception {
        TestCertificates.Root rogue = TestCertificates.newRoot("Rogue Root");
        TestCertificates.Issued issued = rogue.issueClient("intruder");
        DeviceIdentity id = new DeviceIdentity(SoftwareKeys.of(new KeyPair(issued.certificate().getPublicKey(), issued.key())), issued.chain());
        client = HubClient.create(runtime, HubClientConfig.builder("127.0.0.1", "intruder", id, List.of(root.certificate()))
                .port(broker.port()).backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(100))).build());
        CompletableFuture<Void> connected = client.connect();
        await().atMost(Duration.ofSeconds(20)).until(() -> client.stats().failedConnects() >= 3);
        assertThat(connected).isNotDone();
        assertThat(client.isConnected()).isFalse();
        assertThat(client.stats().connects()).isZero();
    }
}
