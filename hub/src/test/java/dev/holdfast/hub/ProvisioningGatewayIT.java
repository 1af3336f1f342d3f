package dev.holdfast.hub;

import dev.holdfast.pki.Bytes;
import dev.holdfast.testing.TestCertificates;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DPS over MQTT shares the hub's listener: a client with a manufacturer (IDevID) certificate and a
 * DPS username reaches the {@link ProvisioningGateway}; without a gateway it is refused.
 */
class ProvisioningGatewayIT {
    static final TestCertificates.Root MANUFACTURER = TestCertificates.newRoot("Acme Manufacturing CA");

    /** A stand-in for the provisioning module: admits IDevIDs of the manufacturer above, answers 202 then 200. */
    static final class FakeGateway implements ProvisioningGateway {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public boolean admit(Client client) {
            X509Certificate leaf = client.chain().get(0);
            return leaf.getIssuerX500Principal().equals(MANUFACTURER.certificate().getSubjectX500Principal())
                    && client.clientId().equals(client.registrationId());
        }

        @Override
        public CompletionStage<List<Reply>> publish(Client client, String topic, Bytes payload) {
            seen.add(client.idScope() + "|" + client.registrationId() + "|" + topic + "|" + new String(payload.toArray(), StandardCharsets.UTF_8));
            String rid = topic.substring(topic.indexOf("$rid=") + 5);
            return CompletableFuture.completedFuture(List.of(
                    new Reply("$dps/registrations/res/202/?$rid=" + rid + "&retry-after=3", Bytes.copyOf("{\"operationId\":\"op-1\",\"status\":\"assigning\"}".getBytes())),
                    new Reply("$dps/registrations/res/200/?$rid=" + rid, Bytes.copyOf("{\"operationId\":\"op-1\",\"status\":\"assigned\"}".getBytes()))));
        }
    }

    static MqttClient dpsClient(HubFixture f, TestCertificates.Issued idevid, String registrationId, PahoClients.Device[] holder) throws MqttException {
        MqttClient c = PahoClients.client(f, registrationId);
        holder[0] = new PahoClients.Device(c);
        var o = PahoClients.options(f, new HubFixture.Issued(idevid.key(), idevid.chain(), "x"), null);
        o.setUserName("0ne00000001/registrations/" + registrationId + "/api-version=2019-03-31&ClientVersion=test");
        c.connect(o);
        return c;
    }

    @Test
    void dpsConnection_isRoutedToTheProvisioningGateway(@TempDir Path dir) throws Exception {
        FakeGateway gateway = new FakeGateway();
        try (HubFixture f = new HubFixture(dir, "127.0.0.1", 0, b -> b.provisioning(gateway))) {
            TestCertificates.Issued idevid = MANUFACTURER.issueClient("widget-0042");
            PahoClients.Device[] d = new PahoClients.Device[1];
            MqttClient c = dpsClient(f, idevid, "widget-0042", d);
            try {
                int[] granted = c.subscribeWithResponse(new String[]{"$dps/registrations/res/#", "devices/widget-0042/messages/devicebound/#"},
                        new int[]{1, 1}).getGrantedQos();
                assertThat(granted).containsExactly(1, 0x80);
                c.publish("$dps/registrations/PUT/iotdps-register/?$rid=7", "{\"registrationId\":\"widget-0042\"}".getBytes(), 1, false);
                assertThat(d[0].received.poll(10, TimeUnit.SECONDS).topic()).isEqualTo("$dps/registrations/res/202/?$rid=7&retry-after=3");
                PahoClients.Received done = d[0].received.poll(10, TimeUnit.SECONDS);
                assertThat(done.topic()).isEqualTo("$dps/registrations/res/200/?$rid=7");
                assertThat(new String(done.message().getPayload())).contains("assigned");
                assertThat(gateway.seen).containsExactly("0ne00000001|widget-0042|$dps/registrations/PUT/iotdps-register/?$rid=7|{\"registrationId\":\"widget-0042\"}");
                // not a device session: the hub topics are not open to it
                assertThatThrownBy(() -> c.publish("devices/widget-0042/messages/events/", "x".getBytes(), 1, false)).isInstanceOf(MqttException.class);
            } finally {
                d[0].close();
            }
            // an IDevID from another manufacturer is not admitted
            TestCertificates.Issued stranger = TestCertificates.newRoot("Other Maker").issueClient("widget-0043");
            assertThatThrownBy(() -> dpsClient(f, stranger, "widget-0043", new PahoClients.Device[1]))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        }
    }

    @Test
    void withoutAGateway_dpsConnectionsAreNotAuthorized(@TempDir Path dir) {
        try (HubFixture f = HubFixture.start(dir)) {
            TestCertificates.Issued idevid = MANUFACTURER.issueClient("widget-0050");
            assertThatThrownBy(() -> dpsClient(f, idevid, "widget-0050", new PahoClients.Device[1]))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        }
    }
}
