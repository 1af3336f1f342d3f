package dev.holdfast.hub.internal;

import dev.holdfast.hub.HubConfig;
import dev.holdfast.hub.ProvisioningGateway;
import dev.holdfast.hub.TelemetrySink;
import dev.holdfast.hub.spi.AccessPolicy;
import dev.holdfast.registry.DeviceRegistry;

import java.math.BigInteger;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;

/**
 * What every session of one hub shares: settings, the collaborators it calls, and the live sessions
 * indexed by device id (one connection per device) and by certificate serial (revocation).
 */
public final class HubContext {
    final HubConfig config;
    final DeviceAuthenticator authenticator;
    final AccessPolicy policy;
    final ProvisioningGateway provisioning;
    final TelemetrySink telemetry;
    final JdbcCloudToDeviceQueue cloudToDevice;
    final DeviceRegistry registry;
    final HubEvents events;
    HubMetrics metrics;
    /** Virtual threads for blocking work (registry, store); results hop back to the channel's event loop. */
    final ExecutorService blocking;
    final Clock clock;
    public final ConcurrentMap<String, MqttSession> sessions = new ConcurrentHashMap<>();
    public final ConcurrentMap<BigInteger, MqttSession> bySerial = new ConcurrentHashMap<>();

    public HubContext(HubConfig config, DeviceAuthenticator authenticator, AccessPolicy policy, ProvisioningGateway provisioning,
                      TelemetrySink telemetry, JdbcCloudToDeviceQueue cloudToDevice, DeviceRegistry registry, HubEvents events,
                      HubMetrics metrics, ExecutorService blocking, Clock clock) {
        this.config = config;
        this.authenticator = authenticator;
        this.policy = policy;
        this.provisioning = provisioning;
        this.telemetry = telemetry;
        this.cloudToDevice = cloudToDevice;
        this.registry = registry;
        this.events = events;
        this.metrics = metrics;
        this.blocking = blocking;
        this.clock = clock;
    }

    public HubMetrics metrics() {
        return metrics;
    }

    /** Set once, right after construction (the gauge needs the sessions map of this context). */
    public void setMetrics(HubMetrics metrics) {
        this.metrics = metrics;
    }

    public HubEvents events() {
        return events;
    }
}
