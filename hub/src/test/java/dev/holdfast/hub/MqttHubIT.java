package dev.holdfast.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.hub.internal.JdbcTelemetryStore;
import dev.holdfast.pki.RevocationReason;
import dev.holdfast.registry.Authentication;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceStatus;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.NewDevice;
import dev.holdfast.registry.Precondition;
import dev.holdfast.testing.TestCertificates;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The hub with real Paho MQTT 3.1.1 clients over mutual TLS on loopback, certificates from the real
 * CA, devices in the real registry (SQLite).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttHubIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    HubFixture f;

    @BeforeAll
    void start() {
        f = HubFixture.start(dir);
    }

    @AfterAll
    void stop() {
        if (f != null) f.close();
    }

    @Test
    void telemetry_qos1IsStoredWithItsPropertiesBeforePuback() throws Exception {
        HubFixture.Issued cert = f.device("meter-1");
        try (PahoClients.Device d = PahoClients.connect(f, cert, "meter-1")) {
            d.client.publish("devices/meter-1/messages/events/%24.mid=m-1&%24.ct=application%2Fjson&site=north%20yard",
                    "{\"t\":21.5}".getBytes(StandardCharsets.UTF_8), 1, false);
            // publish() returns after PUBACK, and PUBACK comes after the commit: the row is there now.
            List<JdbcTelemetryStore.Stored> stored = f.hub.telemetryStore().recent("meter-1", 10);
            assertThat(stored).hasSize(1);
            TelemetryMessage m = stored.get(0).message();
            assertThat(m.system()).containsEntry("mid", "m-1").containsEntry("ct", "application/json");
            assertThat(m.properties()).containsEntry("site", "north yard");
            assertThat(new String(m.body().toArray(), StandardCharsets.UTF_8)).isEqualTo("{\"t\":21.5}");
            assertThat(m.will()).isFalse();
        }
        assertThat(f.registry.devices().lastTls(new DeviceId("meter-1"))).hasValueSatisfying(t -> {
            assertThat(t.protocol()).isIn("TLSv1.3", "TLSv1.2");
            assertThat(t.cipherSuite()).contains("GCM", "_");
        });
        assertThat(f.events("hub.connect.accepted")).anySatisfy(e -> assertThat(e.event().deviceId()).hasValue("meter-1"));
    }

    @Test
    void publishToAnotherDevicesTopic_closesTheConnectionAndIsAnEvent() throws Exception {
        f.device("victim-1");
        HubFixture.Issued cert = f.device("intruder-1");
        try (PahoClients.Device d = PahoClients.connect(f, cert, "intruder-1")) {
            assertThatThrownBy(() -> d.client.publish("devices/victim-1/messages/events/", "x".getBytes(), 1, false))
                    .isInstanceOf(MqttException.class);
            assertThat(d.lost.get(5, TimeUnit.SECONDS)).isNotNull();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(f.events("hub.authorization.denied"))
                .anySatisfy(e -> assertThat(e.event().message()).contains("victim-1")));
        assertThat(f.hub.telemetryStore().recent("victim-1", 10)).isEmpty();
    }

    @Test
    void subscribeToAnotherDevicesMessages_isRefusedWithFailureCode() throws Exception {
        HubFixture.Issued cert = f.device("sub-1");
        try (PahoClients.Device d = PahoClients.connect(f, cert, "sub-1")) {
            int[] granted = d.client.subscribeWithResponse(new String[]{"devices/other/messages/devicebound/#", "devices/sub-1/messages/devicebound/#"},
                    new int[]{1, 2}).getGrantedQos();
            assertThat(granted).containsExactly(0x80, 1);
        }
    }

    @Test
    void qos2Publish_closesTheConnection() throws Exception {
        HubFixture.Issued cert = f.device("qos2-1");
        try (PahoClients.Device d = PahoClients.connect(f, cert, "qos2-1")) {
            try {
                d.client.publish("devices/qos2-1/messages/events/", "x".getBytes(), 2, false);
            } catch (MqttException expected) {
                // the connection drops before PUBREC
            }
            assertThat(d.lost.get(5, TimeUnit.SECONDS)).isNotNull();
        }
        assertThat(f.hub.telemetryStore().recent("qos2-1", 10)).isEmpty();
        assertThat(f.hub.metrics().refusals("qos2")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void clientIdThatIsNotTheCertificatesDevice_isRefused() throws Exception {
        HubFixture.Issued cert = f.device("owner-1");
        f.device("other-1");
        assertThatThrownBy(() -> PahoClients.connect(f, cert, "other-1"))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(f.events("hub.connect.refused"))
                .anySatisfy(e -> assertThat(e.event().message()).contains("CN 'owner-1'", "other-1")));
    }

    @Test
    void usernameOfAnotherClient_isRefused() throws Exception {
        HubFixture.Issued cert = f.device("user-1");
        MqttClient c = PahoClients.client(f, "user-1");
        try {
            assertThatThrownBy(() -> c.connect(PahoClients.options(f, cert, f.username("user-2"))))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
        } finally {
            c.close(true);
        }
    }

    @Test
    void certificateFromAnUnknownCa_isRefusedAtConnect() throws Exception {
        f.device("foreign-ca-1");
        TestCertificates.Issued other = TestCertificates.newRoot("Some Other CA").issueClient("foreign-ca-1");
        HubFixture.Issued cert = new HubFixture.Issued(other.key(), other.chain(), other.certificate().getSerialNumber().toString(16));
        assertThatThrownBy(() -> PahoClients.connect(f, cert, "foreign-ca-1"))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(f.hub.metrics().refusals("unknown-ca")).isGreaterThanOrEqualTo(1));
    }

    @Test
    void expiredCertificate_isRefusedAtConnect() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        Instant now = Instant.now();
        X509Certificate expired = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(new X500Name("CN=expired-1"),
                BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofDays(30))), Date.from(now.minus(Duration.ofDays(1))),
                new X500Name("CN=expired-1"), kp.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        String sha = dev.holdfast.hub.internal.DeviceAuthenticator.sha256(expired);
        f.registry.devices().create(NewDevice.builder(new DeviceId("expired-1")).authentication(Authentication.certificate(sha))
                .lifecycle(LifecycleState.ACTIVE).build(), "test");
        HubFixture.Issued cert = new HubFixture.Issued(kp.getPrivate(), List.of(expired), "x");
        assertThatThrownBy(() -> PahoClients.connect(f, cert, "expired-1"))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(f.events("hub.connect.refused"))
                .anySatisfy(e -> assertThat(e.event().message()).contains("expired")));
    }

    @Test
    void selfSignedCertificateBoundByThumbprint_isAccepted() throws Exception {
        TestCertificates.Issued own = TestCertificates.newRoot("thumb-1").issueClient("thumb-1");
        String sha = dev.holdfast.hub.internal.DeviceAuthenticator.sha256(own.certificate());
        f.registry.devices().create(NewDevice.builder(new DeviceId("thumb-1")).authentication(Authentication.certificate(sha))
                .lifecycle(LifecycleState.ACTIVE).build(), "test");
        HubFixture.Issued cert = new HubFixture.Issued(own.key(), own.chain(), "x");
        try (PahoClients.Device d = PahoClients.connect(f, cert, "thumb-1")) {
            assertThat(d.client.isConnected()).isTrue();
        }
    }

    @Test
    void noClientCertificate_failsTheHandshake() throws Exception {
        MqttClient c = PahoClients.client(f, "nocert-1");
        try {
            assertThatThrownBy(() -> c.connect(PahoClients.options(f, null, f.username("nocert-1")))).isInstanceOf(MqttException.class);
        } finally {
            c.close(true);
        }
    }

    @Test
    void unregisteredAndDisabledDevices_areRefused() throws Exception {
        HubFixture.Issued ghost = f.issueDevice("ghost-1");
        assertThatThrownBy(() -> PahoClients.connect(f, ghost, "ghost-1")).isInstanceOf(MqttException.class);
        HubFixture.Issued off = f.device("off-1");
        f.registry.devices().setStatus(new DeviceId("off-1"), DeviceStatus.DISABLED, Optional.of("stolen"), "test");
        assertThatThrownBy(() -> PahoClients.connect(f, off, "off-1"))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
    }

    @Test
    void revokingTheCertificate_endsTheSessionWithinOneSecondAndRefusesReconnection() throws Exception {
        HubFixture.Issued cert = f.device("revoked-1");
        try (PahoClients.Device d = PahoClients.connect(f, cert, "revoked-1")) {
            long t0 = System.nanoTime();
            f.pki.ca().revoke(cert.serialHex(), RevocationReason.KEY_COMPROMISE, "test");
            assertThat(d.lost.get(5, TimeUnit.SECONDS)).isNotNull();
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(millis).as("revocation to disconnect, ms").isLessThan(1000);
        }
        assertThatThrownBy(() -> PahoClients.connect(f, cert, "revoked-1"))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(f.events("hub.session.ended"))
                .anySatisfy(e -> assertThat(e.event().message()).contains("revoked-1", "revoked")));
    }

    @Test
    void disablingTheDevice_endsTheSessionWithinOneSecondAndRefusesReconnection() throws Exception {
        HubFixture.Issued cert = f.device("disabled-1");
        try (PahoClients.Device d = PahoClients.connect(f, cert, "disabled-1")) {
            long t0 = System.nanoTime();
            f.registry.devices().setStatus(new DeviceId("disabled-1"), DeviceStatus.DISABLED, Optional.of("lost"), "test");
            assertThat(d.lost.get(5, TimeUnit.SECONDS)).isNotNull();
            assertThat((System.nanoTime() - t0) / 1_000_000).as("disable to disconnect, ms").isLessThan(1000);
        }
        assertThatThrownBy(() -> PahoClients.connect(f, cert, "disabled-1")).isInstanceOf(MqttException.class);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(f.registry.devices().get(new DeviceId("disabled-1")).connectionState())
                .isEqualTo(dev.holdfast.registry.ConnectionState.DISCONNECTED));
    }

    @Test
    void aSecondConnectionOfTheSameDevice_closesTheFirst() throws Exception {
        HubFixture.Issued cert = f.device("twice-1");
        try (PahoClients.Device first = PahoClients.connect(f, cert, "twice-1");
             PahoClients.Device second = PahoClients.connect(f, cert, "twice-1")) {
            assertThat(first.lost.get(5, TimeUnit.SECONDS)).isNotNull();
            assertThat(second.client.isConnected()).isTrue();
            assertThat(f.hub.sessions()).filteredOn(s -> s.deviceId().equals("twice-1")).hasSize(1);
        }
    }

    @Test
    void cloudToDevice_isDeliveredCompletedByPubackAndQueuedWhileOffline() throws Exception {
        HubFixture.Issued cert = f.device("c2d-1");
        CloudToDeviceMessage offline = f.hub.sendCloudToDevice("c2d-1", Map.of("kind", "queued"), "while away".getBytes(), Optional.empty());
        try (PahoClients.Device d = PahoClients.connect(f, cert, "c2d-1")) {
            d.client.subscribe("devices/c2d-1/messages/devicebound/#", 1);
            PahoClients.Received first = d.received.poll(10, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(new String(first.message().getPayload())).isEqualTo("while away");
            assertThat(first.topic()).startsWith("devices/c2d-1/messages/devicebound/%24.mid=" + offline.id()).contains("kind=queued");

            CloudToDeviceMessage live = f.hub.sendCloudToDevice("c2d-1", Map.of("cmd", "reboot now"), "go".getBytes(), Optional.of(Duration.ofMinutes(5)));
            PahoClients.Received second = d.received.poll(10, TimeUnit.SECONDS);
            assertThat(second).isNotNull();
            assertThat(second.topic()).contains("cmd=reboot%20now");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(f.hub.cloudToDeviceMessage(live.id()).orElseThrow().status()).isEqualTo(CloudToDeviceMessage.Status.COMPLETED);
                assertThat(f.hub.cloudToDeviceMessage(offline.id()).orElseThrow().status()).isEqualTo(CloudToDeviceMessage.Status.COMPLETED);
            });
        }
    }

    @Test
    void cloudToDevice_queueHoldsAtMostFiftyAndUnknownDevicesAre404() {
        f.device("c2d-full");
        for (int i = 0; i < 50; i++) f.hub.sendCloudToDevice("c2d-full", Map.of(), new byte[]{1}, Optional.empty());
        assertThatThrownBy(() -> f.hub.sendCloudToDevice("c2d-full", Map.of(), new byte[]{1}, Optional.empty()))
                .isInstanceOfSatisfying(HubRefusedException.class, e -> assertThat(e.code()).isEqualTo("queue-full"));
        assertThatThrownBy(() -> f.hub.sendCloudToDevice("nobody", Map.of(), new byte[]{1}, Optional.empty()))
                .isInstanceOfSatisfying(HubRefusedException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> f.hub.sendCloudToDevice("c2d-full", Map.of(), new byte[65_537], Optional.empty()))
                .isInstanceOfSatisfying(HubRefusedException.class, e -> assertThat(e.code()).isEqualTo("too-large"));
    }

    @Test
    void twin_getReportedPatchAndDesiredPush() throws Exception {
        HubFixture.Issued cert = f.device("twin-1");
        f.registry.devices().patchDesired(new DeviceId("twin-1"), JsonDocument.parse("{\"interval\":30}"), Precondition.none(), "test");
        try (PahoClients.Device d = PahoClients.connect(f, cert, "twin-1")) {
            d.client.subscribe(new String[]{"$iothub/twin/res/#", "$iothub/twin/PATCH/properties/desired/#"}, new int[]{0, 0});
            d.client.publish("$iothub/twin/GET/?$rid=1", new byte[0], 0, false);
            PahoClients.Received get = d.received.poll(10, TimeUnit.SECONDS);
            assertThat(get.topic()).isEqualTo("$iothub/twin/res/200/?$rid=1");
            JsonNode twin = JSON.readTree(get.message().getPayload());
            assertThat(twin.at("/desired/interval").asInt()).isEqualTo(30);
            assertThat(twin.at("/desired/$version").asLong()).isEqualTo(2);
            assertThat(twin.at("/reported/$version").asLong()).isEqualTo(1);

            d.client.publish("$iothub/twin/PATCH/properties/reported/?$rid=2", "{\"fw\":\"1.2.3\"}".getBytes(), 1, false);
            PahoClients.Received patched = d.received.poll(10, TimeUnit.SECONDS);
            assertThat(patched.topic()).isEqualTo("$iothub/twin/res/204/?$rid=2&$version=2");
            assertThat(f.registry.devices().twin(new DeviceId("twin-1")).reported().get("fw").asText()).isEqualTo("1.2.3");

            d.client.publish("$iothub/twin/PATCH/properties/reported/?$rid=3", "[1,2]".getBytes(), 1, false);
            assertThat(d.received.poll(10, TimeUnit.SECONDS).topic()).isEqualTo("$iothub/twin/res/400/?$rid=3");

            f.registry.devices().patchDesired(new DeviceId("twin-1"), JsonDocument.parse("{\"interval\":null,\"mode\":\"eco\"}"), Precondition.none(), "test");
            PahoClients.Received desired = d.received.poll(10, TimeUnit.SECONDS);
            assertThat(desired.topic()).isEqualTo("$iothub/twin/PATCH/properties/desired/?$version=3");
            JsonNode patch = JSON.readTree(desired.message().getPayload());
            assertThat(patch.get("mode").asText()).isEqualTo("eco");
            assertThat(patch.get("interval").isNull()).isTrue();
            assertThat(patch.get("$version").asLong()).isEqualTo(3);
        }
    }

    @Test
    void directMethod_isAnsweredByTheDeviceAndOfflineDevicesAre404() throws Exception {
        HubFixture.Issued cert = f.device("method-1");
        try (PahoClients.Device d = PahoClients.connect(f, cert, "method-1")) {
            d.client.subscribe("$iothub/methods/POST/#", 0);
            var answer = f.hub.invokeMethod("method-1", "reboot", "{\"delay\":5}", Duration.ofSeconds(10));
            PahoClients.Received call = d.received.poll(10, TimeUnit.SECONDS);
            assertThat(call.topic()).startsWith("$iothub/methods/POST/reboot/?$rid=");
            assertThat(new String(call.message().getPayload())).isEqualTo("{\"delay\":5}");
            String rid = call.topic().substring(call.topic().indexOf("$rid=") + 5);
            d.client.publish("$iothub/methods/res/200/?$rid=" + rid, "{\"ok\":true}".getBytes(), 0, false);
            MethodResult r = answer.get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.payloadJson()).isEqualTo("{\"ok\":true}");

            var timeout = f.hub.invokeMethod("method-1", "slow", "{}", Duration.ofMillis(300));
            assertThatThrownBy(() -> timeout.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(HubRefusedException.class, e -> assertThat(e.status()).isEqualTo(504));
        }
        var offline = f.hub.invokeMethod("method-1", "reboot", "{}", Duration.ofSeconds(1));
        assertThatThrownBy(() -> offline.get(5, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(HubRefusedException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void will_isDeliveredAsTelemetryMarkedAsWillWhenTheDeviceVanishes() throws Exception {
        HubFixture.Issued cert = f.device("will-1");
        MqttClient c = PahoClients.client(f, "will-1");
        PahoClients.Device d = new PahoClients.Device(c);
        var o = PahoClients.options(f, cert, f.username("will-1"));
        o.setWill("devices/will-1/messages/events/reason=gone", "bye".getBytes(), 1, false);
        c.connect(o);
        f.hub.kick("will-1", "test");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(f.hub.telemetryStore().recent("will-1", 10))
                .singleElement().satisfies(s -> {
                    assertThat(s.message().will()).isTrue();
                    assertThat(s.message().properties()).containsEntry("reason", "gone");
                }));
        d.close();
    }

    @Test
    void quarantinedDevice_mayReportStateButNotSendTelemetry() throws Exception {
        HubFixture.Issued cert = f.device("quarantine-1");
        // The hub's policy here quarantines by lifecycle, as the policy module will.
        f.registry.devices().setLifecycle(new DeviceId("quarantine-1"), LifecycleState.QUARANTINED, Optional.of("test"), "test");
        try (PahoClients.Device d = PahoClients.connect(f, cert, "quarantine-1")) {
            assertThat(f.hub.session("quarantine-1")).hasValueSatisfying(s -> assertThat(s.scope()).isEqualTo("quarantine"));
            d.client.subscribe("$iothub/twin/res/#", 0);
            d.client.publish("$iothub/twin/PATCH/properties/reported/?$rid=9", "{\"ok\":1}".getBytes(), 1, false);
            assertThat(d.received.poll(10, TimeUnit.SECONDS).topic()).startsWith("$iothub/twin/res/204/");
            assertThatThrownBy(() -> d.client.publish("devices/quarantine-1/messages/events/", "x".getBytes(), 1, false))
                    .isInstanceOf(MqttException.class);
        }
    }

    @Test
    void gateway_sendsTelemetryForItsRegisteredChildrenOnlyAndIsClosedOnOthers() throws Exception {
        HubFixture.Issued gw = f.gateway("gw-1");
        f.registry.devices().create(NewDevice.builder(new DeviceId("child-1")).parent(new DeviceId("gw-1")).lifecycle(LifecycleState.ACTIVE).build(), "test");
        f.device("stranger-1");
        try (PahoClients.Device d = PahoClients.connect(f, gw, "gw-1")) {
            d.client.publish("devices/child-1/messages/events/sensor=modbus", "42".getBytes(), 1, false);
            assertThat(f.hub.telemetryStore().recent("child-1", 5)).singleElement()
                    .satisfies(m -> assertThat(m.message().properties()).containsEntry("sensor", "modbus"));
            assertThatThrownBy(() -> d.client.publish("devices/stranger-1/messages/events/", "x".getBytes(), 1, false)).isInstanceOf(MqttException.class);
            assertThat(d.lost.get(5, TimeUnit.SECONDS)).isNotNull();
        }
        assertThat(f.hub.telemetryStore().recent("stranger-1", 5)).isEmpty();
        // a plain device cannot act for the child
        try (PahoClients.Device plain = PahoClients.connect(f, f.device("plain-1"), "plain-1")) {
            assertThatThrownBy(() -> plain.client.publish("devices/child-1/messages/events/", "x".getBytes(), 1, false)).isInstanceOf(MqttException.class);
        }
        assertThat(f.hub.telemetryStore().recent("child-1", 5)).hasSize(1);
    }
}
