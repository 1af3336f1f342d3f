package dev.holdfast.device.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.device.DeviceIdentity;
import dev.holdfast.device.DeviceRuntime;
import dev.holdfast.device.Mosquitto;
import dev.holdfast.device.SoftwareKeys;
import dev.holdfast.device.internal.MqttConnection;
import dev.holdfast.testing.TestCertificates;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet simulator against a real Mosquitto broker (no provisioning: devices connect with the
 * IDevIDs its factory made, which Mosquitto trusts). A test-side client plays the hub: it counts
 * telemetry per device and answers reported-property patches, collecting the posture documents.
 */
class FleetSimulatorIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void fleet_connectsEveryDevice_sendsTelemetry_reportsPosture_andPlaysItsMisbehaviour() throws Exception {
        TestCertificates.Root root = TestCertificates.newRoot("Broker Root");
        Factory factory = Factory.generate("Sim Manufacturer");
        Set<String> telemetryFrom = ConcurrentHashMap.newKeySet();
        List<JsonNode> posture = new CopyOnWriteArrayList<>();
        try (Mosquitto broker = Mosquitto.start(dir.resolve("broker"), root, List.of(factory.certificate()));
             DeviceRuntime hubRuntime = DeviceRuntime.create()) {
            TestCertificates.Issued hubCert = root.issueClient("hub");
            DeviceIdentity hubId = new DeviceIdentity(SoftwareKeys.of(new KeyPair(hubCert.certificate().getPublicKey(), hubCert.key())), hubCert.chain());
            MqttConnection hub = MqttConnection.connect(hubRuntime.eventLoops(), new MqttConnection.Options("127.0.0.1", broker.port(), "127.0.0.1",
                    hubId.sslContext(List.of(root.certificate())), "hub", null, true, Duration.ofSeconds(30), Duration.ofSeconds(10), 1 << 20),
                    new MqttConnection.Listener() {
                        @Override
                        public void onPublish(MqttConnection h, String topic, byte[] payload, int qos, int packetId) {
                            if (qos == 1) h.puback(packetId);
                            if (topic.startsWith("devices/") && topic.contains("/messages/events/")) {
                                telemetryFrom.add(topic.split("/")[1]);
                            } else if (topic.startsWith("$iothub/twin/PATCH/properties/reported/")) {
                                try {
                                    posture.add(JSON.readTree(payload));
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                                h.publish("$iothub/twin/res/204/?$rid=" + topic.substring(topic.indexOf("$rid=") + 5) + "&$version=2", new byte[0], 0);
                            }
                        }

                        @Override
                        public void onClosed(MqttConnection source, Throwable cause) {
                        }
                    }).get(15, TimeUnit.SECONDS);
            hub.subscribe(List.of("devices/+/messages/events/#", "$iothub/twin/PATCH/properties/reported/#")).get(10, TimeUnit.SECONDS);

            int n = 60;
            SimulationConfig config = SimulationConfig.builder(factory, List.of(root.certificate())).devices(n).directTo("127.0.0.1", broker.port())
                    .telemetryInterval(Duration.ofMillis(300)).misconfiguredShare(0.3).misbehaviour(2, 2, 1, 200, Duration.ofSeconds(1))
                    .concurrency(16).ioThreads(1).seed(42).build();
            List<String> progress = new CopyOnWriteArrayList<>();
            try (FleetSimulator sim = FleetSimulator.start(config, progress::add)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> telemetryFrom.size() == n && posture.size() == n);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    SimulationReport r = sim.report();
                    assertThat(r.authFailuresRefused()).as(r.summary()).isGreaterThanOrEqualTo(2);
                    assertThat(r.floodMessages()).as(r.summary()).isGreaterThanOrEqualTo(100);
                });
                SimulationReport report = sim.report();
                assertThat(report.connected()).as(report.summary()).isEqualTo(n);
                assertThat(report.reportedOk()).isEqualTo(n);
                assertThat(report.telemetryAcknowledged()).isPositive();
                assertThat(report.topicAbuseAttempts()).isEqualTo(8);
                assertThat(progress).last().isEqualTo(n + "/" + n + " devices brought up");
                for (SimulatedDevice d : sim.devices()) assertThat(d.client().stats().connects()).isEqualTo(1);

                long misconfigured = sim.devices().stream().filter(d -> !d.issues().isEmpty()).count();
                assertThat(report.misconfigured()).isEqualTo((int) misconfigured).isBetween(5, 35);
                long sshOn = sim.devices().stream().filter(d -> d.issues().contains(Misconfiguration.SSH_PASSWORD_LOGIN)).count();
                assertThat(posture.stream().filter(p -> p.path("security").path("sshPasswordLogin").asBoolean()).count()).isEqualTo(sshOn);
                long outdated = sim.devices().stream().filter(d -> d.issues().contains(Misconfiguration.OUTDATED_FIRMWARE)).count();
                assertThat(posture.stream().filter(p -> !p.path("firmware").path("version").asText().equals(p.path("firmware").path("latest").asText())).count())
                        .isEqualTo(outdated);
                assertThat(posture).allSatisfy(p -> {
                    assertThat(p.path("security").path("secureBoot").isBoolean()).isTrue();
                    assertThat(p.path("security").path("openServices").isArray()).isTrue();
                    assertThat(p.path("certificate").path("ageDays").isIntegralNumber()).isTrue();
                });
            }
            hub.close();
        }
    }
}
