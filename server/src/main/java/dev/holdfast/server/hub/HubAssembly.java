package dev.holdfast.server.hub;

import dev.holdfast.events.EventSink;
import dev.holdfast.hub.HubConfig;
import dev.holdfast.hub.MqttHub;
import dev.holdfast.pki.Pki;
import dev.holdfast.registry.Registry;
import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.config.Settings;
import dev.holdfast.server.http.ServerIdentity;
import dev.holdfast.store.Database;
import io.micrometer.core.instrument.MeterRegistry;

import java.security.cert.X509Certificate;

/**
 * The device hub as the server runs it: settings from the configuration, the server certificate of
 * the HTTPS listener (issued by the infrastructure CA, with the public host name and loopback in its
 * SANs), the CA's revocation set, the registry, the event log and the server's meters. Started with
 * the server, stopped before the store closes.
 */
public final class HubAssembly implements AutoCloseable {
    private final MqttHub hub;

    private HubAssembly(MqttHub hub) {
        this.hub = hub;
    }

    public static HubConfig config(HoldfastConfig config) {
        return new HubConfig(config.get(Settings.HUB_MQTT_BIND_ADDRESS), config.get(Settings.HUB_MQTT_PORT), config.get(Settings.HUB_MAX_PACKET_BYTES),
                config.get(Settings.HUB_CLOUD_TO_DEVICE_MAX_BYTES), config.get(Settings.HUB_CLOUD_TO_DEVICE_MAX_PENDING),
                config.get(Settings.HUB_CLOUD_TO_DEVICE_TTL), config.get(Settings.HUB_CONNECT_TIMEOUT), config.get(Settings.HUB_MAX_CONNECTIONS),
                config.get(Settings.HUB_TELEMETRY_RETENTION), config.get(Settings.HUB_LIMITS_MESSAGES_PER_SECOND),
                config.get(Settings.HUB_LIMITS_BYTES_PER_SECOND), config.get(Settings.HUB_LIMITS_CONNECTIONS_PER_SECOND_PER_SOURCE));
    }

    /** Builds and starts the hub. */
    public static HubAssembly start(HoldfastConfig config, ServerIdentity identity, Pki pki, Registry registry, Database db, EventSink events,
                                    MeterRegistry meters) {
        return start(config, identity, pki, registry, db, events, meters, dev.holdfast.hub.ProvisioningGateway.NONE);
    }

    /** With DPS over MQTT answered by {@code provisioning} on the same listener. */
    public static HubAssembly start(HoldfastConfig config, ServerIdentity identity, Pki pki, Registry registry, Database db, EventSink events,
                                    MeterRegistry meters, dev.holdfast.hub.ProvisioningGateway provisioning) {
        MqttHub hub = MqttHub.builder(config(config), identity.privateKey(), identity.chain().toArray(X509Certificate[]::new), pki.ca(),
                registry.devices(), db, events).meters(meters).provisioning(provisioning)
                .routes(config.get(Settings.HUB_ROUTES)).build();
        try {
            return new HubAssembly(hub.start());
        } catch (RuntimeException e) {
            hub.close();
            throw e;
        }
    }

    public MqttHub hub() {
        return hub;
    }

    public HubRoutes routes() {
        return new HubRoutes(hub);
    }

    @Override
    public void close() {
        hub.close();
    }
}
