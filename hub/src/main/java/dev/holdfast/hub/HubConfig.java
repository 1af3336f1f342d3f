package dev.holdfast.hub;

import java.time.Duration;

/**
 * The hub's settings (keys {@code hub.*} in the server configuration).
 *
 * @param bindAddress              address the MQTT listener binds; default {@code 0.0.0.0}
 * @param port                     TCP port; default 8883 (the Azure SDKs connect only there); 0 picks a free port
 * @param maxPacketBytes           largest MQTT packet accepted from a device; default 266240 (256 KiB of payload plus headers)
 * @param maxCloudToDeviceBytes    largest cloud-to-device body; default 65536
 * @param cloudToDeviceMaxPending  messages a device may have queued and not completed; default 50
 * @param cloudToDeviceTtl         how long a cloud-to-device message waits when the sender gives no expiry; default 1 hour
 * @param connectTimeout           from TCP accept to an accepted CONNECT (TLS handshake included); default 10 s
 * @param maxConnections           open connections at most, authenticated or not; default 100000
 * @param telemetryRetention       how long the built-in telemetry store keeps messages; default 7 days
 * @param maxMessagesPerSecond     per device, publishes per second (burst of the same size); default 100
 * @param maxBytesPerSecond        per device, publish payload bytes per second (burst of the same size); default 1 MiB
 * @param maxConnectsPerSecondPerSource new connections per second from one source address; default 200
 */
public record HubConfig(String bindAddress, int port, int maxPacketBytes, int maxCloudToDeviceBytes, int cloudToDeviceMaxPending,
                        Duration cloudToDeviceTtl, Duration connectTimeout, int maxConnections, Duration telemetryRetention,
                        int maxMessagesPerSecond, int maxBytesPerSecond, int maxConnectsPerSecondPerSource) {
    public HubConfig {
        if (bindAddress == null || bindAddress.isBlank()) throw new IllegalArgumentException("bindAddress: empty (expected: an IP address or host name)");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        if (maxPacketBytes < 1024 || maxPacketBytes > 268_435_455) throw new IllegalArgumentException("maxPacketBytes: " + maxPacketBytes + " (expected: 1024..268435455)");
        if (maxCloudToDeviceBytes < 1 || maxCloudToDeviceBytes > maxPacketBytes) {
            throw new IllegalArgumentException("maxCloudToDeviceBytes: " + maxCloudToDeviceBytes + " (expected: 1.." + maxPacketBytes + ")");
        }
        if (cloudToDeviceMaxPending < 1 || cloudToDeviceMaxPending > 10_000) {
            throw new IllegalArgumentException("cloudToDeviceMaxPending: " + cloudToDeviceMaxPending + " (expected: 1..10000)");
        }
        positive("cloudToDeviceTtl", cloudToDeviceTtl);
        positive("connectTimeout", connectTimeout);
        positive("telemetryRetention", telemetryRetention);
        if (maxConnections < 1) throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: > 0)");
        if (maxMessagesPerSecond < 1) throw new IllegalArgumentException("maxMessagesPerSecond: " + maxMessagesPerSecond + " (expected: > 0)");
        if (maxBytesPerSecond < 1) throw new IllegalArgumentException("maxBytesPerSecond: " + maxBytesPerSecond + " (expected: > 0)");
        if (maxConnectsPerSecondPerSource < 1) {
            throw new IllegalArgumentException("maxConnectsPerSecondPerSource: " + maxConnectsPerSecondPerSource + " (expected: > 0)");
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
    }

    public static HubConfig defaults() {
        return new HubConfig("0.0.0.0", 8883, 266_240, 65_536, 50, Duration.ofHours(1), Duration.ofSeconds(10), 100_000,
                Duration.ofDays(7), 100, 1 << 20, 200);
    }

    public HubConfig withBind(String address, int port) {
        return new HubConfig(address, port, maxPacketBytes, maxCloudToDeviceBytes, cloudToDeviceMaxPending, cloudToDeviceTtl, connectTimeout,
                maxConnections, telemetryRetention, maxMessagesPerSecond, maxBytesPerSecond, maxConnectsPerSecondPerSource);
    }

    public HubConfig withLimits(int maxConnections, int maxMessagesPerSecond, int maxBytesPerSecond, int maxConnectsPerSecondPerSource) {
        return new HubConfig(bindAddress, port, maxPacketBytes, maxCloudToDeviceBytes, cloudToDeviceMaxPending, cloudToDeviceTtl, connectTimeout,
                maxConnections, telemetryRetention, maxMessagesPerSecond, maxBytesPerSecond, maxConnectsPerSecondPerSource);
    }

    public HubConfig withConnectTimeout(Duration connectTimeout) {
        return new HubConfig(bindAddress, port, maxPacketBytes, maxCloudToDeviceBytes, cloudToDeviceMaxPending, cloudToDeviceTtl, connectTimeout,
                maxConnections, telemetryRetention, maxMessagesPerSecond, maxBytesPerSecond, maxConnectsPerSecondPerSource);
    }
}
