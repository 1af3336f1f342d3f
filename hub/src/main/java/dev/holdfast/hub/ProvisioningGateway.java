package dev.holdfast.hub;

import dev.holdfast.pki.Bytes;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * DPS over MQTT shares the hub's listener (PROTOCOLS.md, "DPS over MQTT"): a CONNECT whose username is
 * {@code {idScope}/registrations/{registrationId}/...} is a provisioning client presenting its IDevID
 * certificate (from a manufacturer CA, not the devices CA). The hub does not judge that certificate;
 * it hands the client to this gateway, which the provisioning module implements.
 *
 * <p>The hub checks only that the TLS client certificate's chain is correctly signed (the handshake
 * proved possession of its key). Everything else (which manufacturer CA, which enrollment) is the
 * gateway's decision in {@link #admit}.
 */
public interface ProvisioningGateway {

    /**
     * A provisioning client as it connected.
     *
     * @param username       the CONNECT username as sent
     * @param clientId       the CONNECT client id (the registration id)
     * @param idScope        the first level of the username
     * @param registrationId the third level of the username
     * @param chain          the TLS client certificate chain, leaf first (signatures checked)
     */
    record Client(String username, String clientId, String idScope, String registrationId, List<X509Certificate> chain) {
        public Client {
            chain = List.copyOf(chain);
        }
    }

    /** A publish to the device, on a {@code $dps/registrations/res/...} topic. */
    record Reply(String topic, Bytes payload) {
        public Reply {
            if (topic == null || !topic.startsWith("$dps/")) throw new IllegalArgumentException("topic: '" + topic + "' (expected: $dps/...)");
            if (payload == null) throw new IllegalArgumentException("payload: null");
        }
    }

    /** Whether the client may proceed past CONNECT; false answers CONNACK not authorized. May block briefly. */
    boolean admit(Client client);

    /**
     * One publish of the client to a {@code $dps/...} topic; the replies are published back to it in
     * order, at QoS 0. A failed stage ends the connection.
     */
    CompletionStage<List<Reply>> publish(Client client, String topic, Bytes payload);

    /** No provisioning on this hub: every DPS connection gets CONNACK not authorized. */
    ProvisioningGateway NONE = new ProvisioningGateway() {
        @Override
        public boolean admit(Client client) {
            return false;
        }

        @Override
        public CompletionStage<List<Reply>> publish(Client client, String topic, Bytes payload) {
            return CompletableFuture.failedFuture(new IllegalStateException("provisioning is not enabled on this hub"));
        }

        @Override
        public String toString() {
            return "ProvisioningGateway.NONE";
        }
    };
}
