package dev.holdfast.server.provisioning;

import dev.holdfast.hub.ProvisioningGateway;
import dev.holdfast.pki.Bytes;
import dev.holdfast.provisioning.AttestationEvidence;
import dev.holdfast.provisioning.DpsMqttMessages;
import dev.holdfast.provisioning.RegistrationService;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * DPS over MQTT on the hub's listener: the hub hands connections whose username is a DPS username
 * to this gateway, which answers their publishes with the provisioning module's transport-neutral
 * {@link DpsMqttMessages}, so MQTT and HTTPS registrations go through the same
 * {@link RegistrationService} (same enrollments, attestation, allocation, rate limits and events).
 *
 * <p>The IDevID chain from the TLS handshake (signatures checked by the hub) is the X.509 evidence;
 * which manufacturer CA and enrollment it belongs to is the registration service's decision, so a
 * refused device gets Azure's error body on its response topic, as over HTTPS. Registrations block on
 * the database and the CA, so they run on virtual threads, never on the hub's event loop.
 */
public final class DpsMqttGateway implements ProvisioningGateway, AutoCloseable {
    private final DpsMqttMessages messages;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

    public DpsMqttGateway(RegistrationService service) {
        this.messages = new DpsMqttMessages(service);
    }

    @Override
    public boolean admit(Client client) {
        return !client.chain().isEmpty() && DpsMqttMessages.parseUsername(client.username()).isPresent()
                && client.clientId().equals(client.registrationId());
    }

    @Override
    public CompletionStage<List<Reply>> publish(Client client, String topic, Bytes payload) {
        DpsMqttMessages.DpsSession session = new DpsMqttMessages.DpsSession(client.idScope(), client.registrationId(),
                new AttestationEvidence.X509(client.chain()), "mqtt:" + client.registrationId());
        return CompletableFuture.supplyAsync(() -> switch (messages.onPublish(session, topic, payload.toArray())) {
            case DpsMqttMessages.Outcome.Reply r -> List.of(new Reply(r.topic(), Bytes.wrapOwned(r.body())));
            case DpsMqttMessages.Outcome.Reject r -> throw new IllegalArgumentException(r.reason());
        }, workers);
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
