package dev.holdfast.hub;

import com.microsoft.azure.sdk.iot.device.ClientOptions;
import com.microsoft.azure.sdk.iot.device.DeviceClient;
import com.microsoft.azure.sdk.iot.device.IotHubClientProtocol;
import com.microsoft.azure.sdk.iot.device.IotHubMessageResult;
import com.microsoft.azure.sdk.iot.device.Message;
import com.microsoft.azure.sdk.iot.device.exceptions.IotHubClientException;
import com.microsoft.azure.sdk.iot.device.twin.DirectMethodResponse;
import com.microsoft.azure.sdk.iot.device.twin.Twin;
import com.microsoft.azure.sdk.iot.device.twin.TwinCollection;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.Precondition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The official Azure IoT Java device client ({@code iot-device-client} 2.5.0, X.509) against the hub,
 * changed only in host name and trusted root (PROTOCOLS.md): it always connects to port 8883, so the
 * hub binds 8883 on a loopback address of its own (127.0.0.x), and the host name is that address
 * (the SDK wants a dot in it and checks it against the server certificate's IP SAN).
 */
class AzureDeviceClientIT {

    @Test
    void azureSdk_telemetryCloudToDeviceTwinDesiredAndDirectMethod(@TempDir Path dir) throws Exception {
        String address = "127.0.0." + ThreadLocalRandom.current().nextInt(20, 250);
        try (HubFixture f = new HubFixture(dir, address, 8883, b -> b)) {
            HubFixture.Issued cert = f.device("azure-sdk-1");
            f.registry.devices().patchDesired(new DeviceId("azure-sdk-1"), JsonDocument.parse("{\"interval\":30}"), Precondition.none(), "test");

            ClientOptions options = ClientOptions.builder().sslContext(f.clientContext(cert)).keepAliveInterval(230).build();
            DeviceClient client = new DeviceClient("HostName=" + address + ";DeviceId=azure-sdk-1;x509=true", IotHubClientProtocol.MQTT, options);
            BlockingQueue<Message> c2d = new LinkedBlockingQueue<>();
            client.setMessageCallback((message, context) -> {
                c2d.add(message);
                return IotHubMessageResult.COMPLETE;
            }, null);
            client.open(true);
            try {
                // telemetry
                Message event = new Message("{\"temperature\":21.5}");
                event.setProperty("site", "north");
                event.setMessageId("msg-1");
                event.setContentType("application/json");
                client.sendEvent(event);
                assertThat(f.hub.telemetryStore().recent("azure-sdk-1", 5)).singleElement().satisfies(s -> {
                    assertThat(new String(s.message().body().toArray(), StandardCharsets.UTF_8)).isEqualTo("{\"temperature\":21.5}");
                    assertThat(s.message().properties()).containsEntry("site", "north");
                    assertThat(s.message().system()).containsEntry("mid", "msg-1");
                });
                assertThat(f.hub.session("azure-sdk-1")).hasValueSatisfying(s -> assertThat(s.mqttVersion()).isEqualTo("3.1.1"));

                // cloud to device, completed by the SDK's PUBACK
                CloudToDeviceMessage sent = f.hub.sendCloudToDevice("azure-sdk-1", Map.of("command", "blink"), "on".getBytes(), Optional.empty());
                Message got = c2d.poll(30, TimeUnit.SECONDS);
                assertThat(got).as("cloud-to-device message").isNotNull();
                assertThat(new String(got.getBytes(), StandardCharsets.UTF_8)).isEqualTo("on");
                assertThat(got.getProperty("command")).isEqualTo("blink");
                assertThat(got.getMessageId()).isEqualTo(sent.id());
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(f.hub.cloudToDeviceMessage(sent.id()).orElseThrow().status()).isEqualTo(CloudToDeviceMessage.Status.COMPLETED));

                // twin get and reported patch
                BlockingQueue<Twin> desired = new LinkedBlockingQueue<>();
                client.subscribeToDesiredProperties((twin, context) -> desired.add(twin), null);
                Twin twin = client.getTwin();
                assertThat(((Number) twin.getDesiredProperties().get("interval")).intValue()).isEqualTo(30);
                assertThat(twin.getDesiredProperties().getVersion()).isEqualTo(2);
                TwinCollection reported = new TwinCollection();
                reported.put("firmware", "2.0.1");
                int version = reportWithOneRetry(client, reported);
                assertThat(version).isGreaterThanOrEqualTo(2);
                assertThat(f.registry.devices().twin(new DeviceId("azure-sdk-1")).reported().get("firmware").asText()).isEqualTo("2.0.1");

                // desired push
                f.registry.devices().patchDesired(new DeviceId("azure-sdk-1"), JsonDocument.parse("{\"mode\":\"eco\"}"), Precondition.none(), "test");
                Twin pushed = desired.poll(30, TimeUnit.SECONDS);
                assertThat(pushed).as("desired update").isNotNull();
                assertThat(pushed.getDesiredProperties().get("mode")).isEqualTo("eco");
                assertThat(pushed.getDesiredProperties().getVersion()).isEqualTo(3);

                // direct method
                client.subscribeToMethods((name, payload, context) ->
                        new DirectMethodResponse(200, Map.of("method", name, "echo", payload.getPayloadAsJsonString())), null);
                MethodResult r = f.hub.invokeMethod("azure-sdk-1", "reboot", "{\"delay\":5}", Duration.ofSeconds(30)).get(40, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.payloadJson()).contains("\"method\":\"reboot\"").contains("delay");
            } finally {
                client.close();
            }
        }
    }

    /** PROTOCOLS.md: the SDK's reported-property update occasionally times out client-side; retry once. */
    private static int reportWithOneRetry(DeviceClient client, TwinCollection reported) throws Exception {
        try {
            return client.updateReportedProperties(reported).getVersion();
        } catch (IotHubClientException e) {
            return client.updateReportedProperties(reported).getVersion();
        }
    }
}
