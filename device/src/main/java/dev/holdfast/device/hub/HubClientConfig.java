package dev.holdfast.device.hub;

import dev.holdfast.device.DeviceIdentity;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * How a device reaches its hub. Build with {@link #builder}; every setter says its default.
 *
 * @param hubHost        the assigned hub's host name (from provisioning); also the TLS name checked
 * @param port           MQTT over TLS port; default 8883
 * @param deviceId       the device id (client id and topic namespace)
 * @param identity       the operational certificate and its key, presented in the handshake
 * @param trustAnchors   roots the hub's certificate must chain to (the server's trust bundle)
 * @param connectHost    where to open the TCP connection; default {@code hubHost}. Lets a test or the
 *                       simulator reach a hub named {@code hub.example.test} at {@code 127.0.0.1}
 */
public record HubClientConfig(String hubHost, int port, String connectHost, String deviceId, DeviceIdentity identity,
                              List<X509Certificate> trustAnchors, Duration keepAlive, Duration connectTimeout,
                              Duration requestTimeout, Backoff backoff, int bufferCapacity, OverflowPolicy overflowPolicy,
                              String apiVersion) {
    public HubClientConfig {
        require(hubHost, "hubHost");
        require(deviceId, "deviceId");
        if (identity == null) throw new IllegalArgumentException("identity: null (expected: the device's operational certificate and key)");
        trustAnchors = List.copyOf(trustAnchors);
        if (trustAnchors.isEmpty()) throw new IllegalArgumentException("trustAnchors: empty (expected: the server's trust bundle)");
        if (connectHost == null || connectHost.isBlank()) connectHost = hubHost;
    }

    private static void require(String v, String name) {
        if (v == null || v.isBlank()) throw new IllegalArgumentException(name + ": blank");
    }

    /** The MQTT user name IoT Hub expects: {@code {hubHost}/{deviceId}/?api-version=...}. */
    public String username() {
        return hubHost + "/" + deviceId + "/?api-version=" + apiVersion;
    }

    public static Builder builder(String hubHost, String deviceId, DeviceIdentity identity, List<X509Certificate> trustAnchors) {
        return new Builder(hubHost, deviceId, identity, trustAnchors);
    }

    public static final class Builder {
        private final String hubHost;
        private final String deviceId;
        private final DeviceIdentity identity;
        private final List<X509Certificate> trust;
        private int port = 8883;
        private String connectHost;
        private Duration keepAlive = Duration.ofSeconds(60);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Backoff backoff = Backoff.DEFAULT;
        private int bufferCapacity = 1000;
        private OverflowPolicy overflow = OverflowPolicy.DROP_OLDEST;

        private Builder(String hubHost, String deviceId, DeviceIdentity identity, List<X509Certificate> trust) {
            this.hubHost = hubHost;
            this.deviceId = deviceId;
            this.identity = identity;
            this.trust = trust;
        }

        /** Default 8883 (the port the official SDKs always use). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Default: the hub host itself. */
        public Builder connectHost(String host) {
            this.connectHost = host;
            return this;
        }

        /** MQTT keep-alive; default 60 s. The hub closes after 1.5 times this without a packet. */
        public Builder keepAlive(Duration d) {
            this.keepAlive = d;
            return this;
        }

        /** TCP, TLS and CONNACK each within this; default 10 s. */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        /** Twin requests fail after this without an answer; default 30 s. */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = d;
            return this;
        }

        /** Reconnection delays; default 1 s doubling to 2 min, full jitter. */
        public Builder backoff(Backoff b) {
            this.backoff = b;
            return this;
        }

        /** Unacknowledged telemetry kept while offline; default 1000 messages, oldest dropped first. */
        public Builder buffer(int capacity, OverflowPolicy policy) {
            this.bufferCapacity = capacity;
            this.overflow = policy;
            return this;
        }

        public HubClientConfig build() {
            return new HubClientConfig(hubHost, port, connectHost, deviceId, identity, trust, keepAlive, connectTimeout, requestTimeout,
                    backoff, bufferCapacity, overflow, "2021-04-12");
        }
    }
}
