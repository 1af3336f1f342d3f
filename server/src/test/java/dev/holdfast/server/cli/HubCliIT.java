package dev.holdfast.server.cli;

import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.IssuanceRequest;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.SubjectAuthorization;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.registry.Authentication;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.NewDevice;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code holdfast hub ...} against a real server whose hub a real MQTT client (Paho) is connected to
 * with a certificate from the server's own CA.
 */
class HubCliIT {
    @TempDir
    Path dir;

    record Got(String topic, String body) {
    }

    @Test
    void sessionsCloudToDeviceMethodTwinTelemetryAndKick_throughTheCli() throws Exception {
        Path data = dir.resolve("data");
        try (HoldfastServer server = TestServers.start(data)) {
            assertThat(server.hub()).isPresent();
            int mqttPort = server.hub().orElseThrow().hub().port();
            server.registry().registry().devices().create(NewDevice.builder(new DeviceId("cli-dev-1")).authentication(Authentication.caSigned())
                    .lifecycle(LifecycleState.ACTIVE).build(), "test");
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=cli-dev-1"), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
            IssuedCertificate issued = server.pki().ca().issue(new IssuanceRequest(Bytes.copyOf(csr), Profile.DEVICE,
                    SubjectAuthorization.device("cli-dev-1"), Optional.empty(), "test"));
            List<X509Certificate> chain = new ArrayList<>();
            chain.add((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(issued.der().toArray())));
            chain.addAll(server.pki().ca().chain(issued.caName()));

            MqttClient device = new MqttClient("ssl://127.0.0.1:" + mqttPort, "cli-dev-1", new MemoryPersistence());
            BlockingQueue<Got> got = new LinkedBlockingQueue<>();
            CompletableFuture<Throwable> lost = new CompletableFuture<>();
            device.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    lost.complete(cause);
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    got.add(new Got(topic, new String(message.getPayload())));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setUserName("127.0.0.1/cli-dev-1/?api-version=2021-04-12");
            o.setSocketFactory(TlsPolicy.sslContext(kp.getPrivate(), chain.toArray(X509Certificate[]::new), server.pki().ca().trustAnchors()).getSocketFactory());
            device.connect(o);
            try {
                device.subscribe(new String[]{"devices/cli-dev-1/messages/devicebound/#", "$iothub/methods/POST/#", "$iothub/twin/PATCH/properties/desired/#"},
                        new int[]{1, 0, 0});
                device.publish("devices/cli-dev-1/messages/events/unit=C", "21.5".getBytes(), 1, false);
                List<String> common = List.of("--server", "https://127.0.0.1:" + server.httpsPort(), "--data-dir", data.toString());

                CliRun sessions = CliRun.of(args(common, "hub", "sessions"));
                assertThat(sessions.exit()).as(sessions.err()).isZero();
                assertThat(sessions.out()).contains("cli-dev-1").contains("3.1.1").contains("TLSv1.3");

                CliRun sent = CliRun.of(args(common, "hub", "c2d", "send", "cli-dev-1", "open valve", "-p", "valve=3", "--ttl", "PT5M"));
                assertThat(sent.exit()).as(sent.err()).isZero();
                String messageId = sent.out().split(" ")[2];
                Got c2d = got.poll(10, TimeUnit.SECONDS);
                assertThat(c2d.topic()).contains("valve=3");
                assertThat(c2d.body()).isEqualTo("open valve");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(CliRun.of(args(common, "hub", "c2d", "status", messageId)).out()).contains("completed"));

                CompletableFuture<CliRun> invoked = CompletableFuture.supplyAsync(() ->
                        CliRun.of(args(common, "hub", "method", "invoke", "cli-dev-1", "reboot", "--payload", "{\"in\":5}", "--timeout", "20")));
                Got call = got.poll(20, TimeUnit.SECONDS);
                assertThat(call.topic()).startsWith("$iothub/methods/POST/reboot/?$rid=");
                assertThat(call.body()).isEqualTo("{\"in\":5}");
                device.publish("$iothub/methods/res/200/?$rid=" + call.topic().substring(call.topic().indexOf("$rid=") + 5), "{\"done\":true}".getBytes(), 0, false);
                CliRun answer = invoked.get(30, TimeUnit.SECONDS);
                assertThat(answer.exit()).as(answer.err()).isZero();
                assertThat(answer.out()).contains("status 200").contains("\"done\":true");

                CliRun desired = CliRun.of(args(common, "hub", "twin", "desired", "cli-dev-1", "{\"interval\":15}"));
                assertThat(desired.exit()).as(desired.err()).isZero();
                Got patch = got.poll(10, TimeUnit.SECONDS);
                assertThat(patch.topic()).isEqualTo("$iothub/twin/PATCH/properties/desired/?$version=2");
                assertThat(patch.body()).contains("\"interval\":15");

                CliRun telemetry = CliRun.of(args(common, "hub", "telemetry", "cli-dev-1"));
                assertThat(telemetry.out()).contains("\"unit\":\"C\"").contains("21.5");
                CliRun routes = CliRun.of(args(common, "hub", "routes"));
                assertThat(routes.exit()).as(routes.err()).isZero();
                assertThat(routes.out()).as("no hub.routes: the default route to the store").startsWith("default  store  matched=")
                        .doesNotContain("matched=0 ").contains("failed=0").contains("if true");

                CliRun kicked = CliRun.of(args(common, "hub", "kick", "cli-dev-1"));
                assertThat(kicked.exit()).as(kicked.err()).isZero();
                assertThat(lost.get(5, TimeUnit.SECONDS)).isNotNull();
                await().atMost(Duration.ofSeconds(5)).until(() -> server.hub().orElseThrow().hub().sessions().isEmpty());
                CliRun again = CliRun.of(args(common, "hub", "kick", "cli-dev-1"));
                assertThat(again.exit()).isEqualTo(1);
                assertThat(again.err()).contains("404").contains("has no session").doesNotContain("Exception");
                CliRun offline = CliRun.of(args(common, "hub", "method", "invoke", "cli-dev-1", "reboot"));
                assertThat(offline.exit()).isEqualTo(1);
                assertThat(offline.err()).contains("404");
            } finally {
                if (device.isConnected()) device.disconnectForcibly(100, 100);
                device.close(true);
            }
        }
    }

    private static String[] args(List<String> common, String... words) {
        List<String> all = new ArrayList<>(List.of(words));
        all.addAll(common);
        return all.toArray(String[]::new);
    }
}
