package dev.holdfast.device.sim;

import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to simulate. Build with {@link #builder}; each setter says its default.
 *
 * @param provisioning how devices get their hub and operational certificate: {@code HTTPS} or
 *                     {@code MQTT} against the provisioning service, or {@code NONE}: each device
 *                     connects straight to {@code hubHost} with its IDevID (for a plain broker such
 *                     as Mosquitto, or a hub that accepts the manufacturer CA)
 */
public record SimulationConfig(int devices, Map<DeviceProfile, Integer> profileWeights, double misconfiguredShare,
                               Optional<Duration> telemetryInterval, String idPrefix, ProvisioningMode provisioning,
                               URI provisioningUri, String dpsHost, int dpsPort, String idScope, List<X509Certificate> trust,
                               String hubHost, Optional<String> hubConnectHost, int hubPort, Factory factory,
                               int authFailureDevices, int topicAbuseDevices, int floodDevices, int floodRatePerSecond,
                               Duration floodDuration, int provisioningConcurrency, int ioThreads, long seed, boolean reportPosture) {
    public enum ProvisioningMode { HTTPS, MQTT, NONE }

    public SimulationConfig {
        if (devices < 0 || devices > 1_000_000) throw new IllegalArgumentException("devices: " + devices + " (expected: 0..1000000)");
        if (!(misconfiguredShare >= 0 && misconfiguredShare <= 1)) throw new IllegalArgumentException("misconfiguredShare: " + misconfiguredShare + " (expected: 0..1)");
        profileWeights = Map.copyOf(profileWeights);
        if (profileWeights.values().stream().mapToInt(Integer::intValue).sum() <= 0) throw new IllegalArgumentException("profileWeights: no positive weight");
        trust = List.copyOf(trust);
        if (factory == null) throw new IllegalArgumentException("factory: null");
        if (provisioningConcurrency < 1) throw new IllegalArgumentException("provisioningConcurrency: " + provisioningConcurrency + " (expected: >= 1)");
    }

    public static Builder builder(Factory factory, List<X509Certificate> trust) {
        return new Builder(factory, trust);
    }

    public static final class Builder {
        private final Factory factory;
        private final List<X509Certificate> trust;
        private int devices = 10;
        private Map<DeviceProfile, Integer> weights = new EnumMap<>(Map.of(DeviceProfile.SENSOR, 1, DeviceProfile.METER, 1,
                DeviceProfile.CAMERA, 1, DeviceProfile.CONTROLLER, 1, DeviceProfile.GATEWAY, 1));
        private double misconfigured = 0.1;
        private Duration interval;
        private String prefix = "sim";
        private ProvisioningMode mode = ProvisioningMode.HTTPS;
        private URI provisioningUri = URI.create("https://127.0.0.1:8443");
        private String dpsHost = "127.0.0.1";
        private int dpsPort = 8883;
        private String idScope = "holdfast";
        private String hubHost = "127.0.0.1";
        private String hubConnectHost;
        private int hubPort = 8883;
        private int authFailures;
        private int topicAbuse;
        private int flood;
        private int floodRate = 50;
        private Duration floodDuration = Duration.ofSeconds(10);
        private int concurrency = 32;
        private int ioThreads = 2;
        private long seed = 1;
        private boolean reportPosture = true;

        private Builder(Factory factory, List<X509Certificate> trust) {
            this.factory = factory;
            this.trust = trust;
        }

        /** Default 10. */
        public Builder devices(int n) {
            this.devices = n;
            return this;
        }

        /** Relative share of each profile; default all five equally. */
        public Builder profileWeights(Map<DeviceProfile, Integer> w) {
            this.weights = new EnumMap<>(w);
            return this;
        }

        /** Share of devices with one to three {@link Misconfiguration}s; default 0.1. */
        public Builder misconfiguredShare(double share) {
            this.misconfigured = share;
            return this;
        }

        /** One telemetry interval for every device; default each profile's own (5 s to 30 s). */
        public Builder telemetryInterval(Duration d) {
            this.interval = d;
            return this;
        }

        /** Registration ids are {@code {prefix}-{profile}-{n}}; default {@code sim}. */
        public Builder idPrefix(String p) {
            this.prefix = p;
            return this;
        }

        /** DPS over HTTPS at {@code uri} (default {@code https://127.0.0.1:8443}). */
        public Builder provisionOverHttps(URI uri, String idScope) {
            this.mode = ProvisioningMode.HTTPS;
            this.provisioningUri = uri;
            this.idScope = idScope;
            return this;
        }

        /** DPS over MQTT at {@code host:port}. */
        public Builder provisionOverMqtt(String host, int port, String idScope) {
            this.mode = ProvisioningMode.MQTT;
            this.dpsHost = host;
            this.dpsPort = port;
            this.idScope = idScope;
            return this;
        }

        /** No provisioning: connect with the IDevID to {@code hubHost:port}. */
        public Builder directTo(String hubHost, int port) {
            this.mode = ProvisioningMode.NONE;
            this.hubHost = hubHost;
            this.hubPort = port;
            return this;
        }

        /** Open hub connections to this address instead of the assigned hub's name (which is still checked in TLS). */
        public Builder hubConnectHost(String host, int port) {
            this.hubConnectHost = host;
            this.hubPort = port;
            return this;
        }

        /** Scripted misbehaviour; default none. Flood rate default 50 messages/s for 10 s. */
        public Builder misbehaviour(int authFailureDevices, int topicAbuseDevices, int floodDevices, int floodRatePerSecond, Duration floodDuration) {
            this.authFailures = authFailureDevices;
            this.topicAbuse = topicAbuseDevices;
            this.flood = floodDevices;
            this.floodRate = floodRatePerSecond;
            this.floodDuration = floodDuration;
            return this;
        }

        /** Devices provisioning and connecting at once; default 32. */
        public Builder concurrency(int n) {
            this.concurrency = n;
            return this;
        }

        /** Netty event loop threads shared by all devices; default 2. */
        public Builder ioThreads(int n) {
            this.ioThreads = n;
            return this;
        }

        /** Seed of the profile, misconfiguration and telemetry choices; default 1. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Whether devices report posture properties after connecting; default true (a plain broker never answers). */
        public Builder reportPosture(boolean b) {
            this.reportPosture = b;
            return this;
        }

        public SimulationConfig build() {
            return new SimulationConfig(devices, weights, misconfigured, Optional.ofNullable(interval), prefix, mode, provisioningUri, dpsHost, dpsPort,
                    idScope, trust, hubHost, Optional.ofNullable(hubConnectHost), hubPort, factory, authFailures, topicAbuse, flood, floodRate,
                    floodDuration, concurrency, ioThreads, seed, reportPosture);
        }
    }
}
