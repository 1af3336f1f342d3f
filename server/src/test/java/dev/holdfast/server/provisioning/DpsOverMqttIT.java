package dev.holdfast.server.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.provisioning.AllocationPolicy;
import dev.holdfast.provisioning.Enrollment;
import dev.holdfast.provisioning.EnrollmentAttestation;
import dev.holdfast.provisioning.EnrollmentSettings;
import dev.holdfast.provisioning.LinkedHub;
import dev.holdfast.provisioning.ManufacturerCa;
import dev.holdfast.provisioning.Provisioning;
import dev.holdfast.provisioning.ReprovisionPolicy;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import dev.holdfast.testing.TestCertificates;
import dev.holdfast.testing.TestManufacturerCa;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import javax.net.ssl.SSLContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import static org.assertj.core.api.Assertions.assertThat;


/**
 * DPS over MQTT with the official Azure IoT Java provisioning client: the SDK always uses port 8883,
 * so the hub listens on 8883 at a loopback address of this test's own (127.0.0.x), which is also an IP
 * SAN of the server certificate the SDK checks. The hub hands the DPS connection (its username names
 * the id scope) to the provisioning service, the same one that answers DPS over HTTPS.
 */
class DpsOverMqttIT {
    @TempDir
    static Path dir;
    static HoldfastServer server;
    static Provisioning provisioning;
    static TestManufacturerCa maker;
    static List<X509Certificate> trust;
    static String address;

    @BeforeAll
    static void start() {
        address = "127.0.0." + java.util.concurrent.ThreadLocalRandom.current().nextInt(20, 250);
        server = TestServers.start(dir.resolve("data"), TestServers.loopbackConfig(TestServers.freePort())
                .with(dev.holdfast.server.config.Settings.HUB_MQTT_BIND_ADDRESS, address)
                .with(dev.holdfast.server.config.Settings.HUB_MQTT_PORT, 8883)
                .with(dev.holdfast.server.config.Settings.SERVER_TLS_SUBJECT_ALT_NAMES, List.of(address)));
        provisioning = server.provisioning().provisioning();
        maker = TestManufacturerCa.root("Acme MQTT Devices Root CA");
        ManufacturerCa up = provisioning.uploadManufacturerCa("acme-mqtt", DpsOverHttpsIT.der(maker.certificate), Optional.empty(), "test");
        provisioning.verifyManufacturerCa("acme-mqtt", DpsOverHttpsIT.der(maker.proof(up.verificationCode())), "test");
        provisioning.linkHub(new LinkedHub("hub-a", "hub-a.example.test", 1, "eu", true), "test");
        provisioning.createGroup(new Enrollment.Group("mqtt-meters", new EnrollmentAttestation.X509Ca("acme-mqtt"),
                new EnrollmentSettings(true, JsonDocument.parse("{\"interval\":30}"), JsonDocument.parse("{\"line\":\"M\"}"), Optional.empty(), false,
                        new AllocationPolicy.Hashed(), List.of(), ReprovisionPolicy.MIGRATE, null, Optional.of(Duration.ofDays(3))),
                Instant.now(), Instant.now(), 1), "test");
        trust = server.pki().ca().trustAnchors();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void azureSdkOverMqtt_isAssignedAHubAndADeviceId() throws Exception {
        TestManufacturerCa.Device d = maker.device("azure-mqtt-meter-1");
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create(address, provisioning.idScope(),
                ProvisioningDeviceClientTransportProtocol.MQTT, new AzureX509Provider(d, trust));
        try {
            ProvisioningDeviceClientRegistrationResult r = client.registerDeviceSync();
            assertThat(r.getProvisioningDeviceClientStatus()).isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
            assertThat(r.getDeviceId()).isEqualTo("azure-mqtt-meter-1");
            assertThat(r.getIothubUri()).isEqualTo("hub-a.example.test");
            Device dev = server.registry().registry().devices().get(new DeviceId("azure-mqtt-meter-1"));
            assertThat(dev.hub()).contains("hub-a.example.test");
            assertThat(dev.lifecycle()).isEqualTo(LifecycleState.PROVISIONED);
            assertThat(dev.twin().desired().get("interval").asInt()).isEqualTo(30);
        } finally {
            client.close();
        }
    }

    @Test
    void unknownManufacturerOverMqtt_isRefusedAndRecorded() throws Exception {
        TestManufacturerCa rogue = TestManufacturerCa.root("Rogue Root CA");
        TestManufacturerCa.Device d = rogue.device("rogue-mqtt-1");
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create(address, provisioning.idScope(),
                ProvisioningDeviceClientTransportProtocol.MQTT, new AzureX509Provider(d, trust));
        try {
            ProvisioningDeviceClientRegistrationResult r;
            try {
                r = client.registerDeviceSync();
            } catch (Exception refused) {
                r = null; // the SDK reports a refusal as an exception or as a failed status, depending on the version
            }
            if (r != null) assertThat(r.getProvisioningDeviceClientStatus()).isNotEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
            assertThat(server.registry().registry().devices().find(new DeviceId("rogue-mqtt-1"))).isEmpty();
            assertThat(server.events().read(dev.holdfast.events.EventQuery.all(10_000)).stream()
                    .anyMatch(e -> e.event().activity().startsWith("provisioning.registration.refused"))).isTrue();
        } finally {
            client.close();
        }
    }

}
