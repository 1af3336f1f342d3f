package dev.holdfast.device.sim;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Kinds of simulated device: how often each sends telemetry, what the telemetry looks like, which
 * firmware line it runs and which services it exposes when configured well.
 */
public enum DeviceProfile {
    SENSOR(Duration.ofSeconds(10), "SensoCorp", "TS-200", List.of("4.2.1", "4.1.0", "3.9.2"), List.of()),
    METER(Duration.ofSeconds(30), "Meterix", "EM-3", List.of("2.8.0", "2.7.4", "2.3.1"), List.of(new Service("modbus-tcp", 502))),
    CAMERA(Duration.ofSeconds(5), "Optiview", "IPC-9", List.of("7.1.3", "7.0.9", "6.2.0"), List.of(new Service("rtsp", 554), new Service("https", 443))),
    CONTROLLER(Duration.ofSeconds(15), "Contrologic", "PLC-40", List.of("11.4", "11.2", "10.0"), List.of(new Service("opc-ua", 4840))),
    GATEWAY(Duration.ofSeconds(20), "Holdfast", "GW-1", List.of("1.6.0", "1.5.2", "1.2.0"), List.of(new Service("ssh", 22), new Service("coap", 5683)));

    /** A listening network service, as reported in {@code security.openServices}. */
    public record Service(String name, int port) {
    }

    private final Duration telemetryInterval;
    private final String manufacturer;
    private final String model;
    private final List<String> firmwareVersions;
    private final List<Service> services;

    DeviceProfile(Duration telemetryInterval, String manufacturer, String model, List<String> firmwareVersions, List<Service> services) {
        this.telemetryInterval = telemetryInterval;
        this.manufacturer = manufacturer;
        this.model = model;
        this.firmwareVersions = firmwareVersions;
        this.services = services;
    }

    public Duration telemetryInterval() {
        return telemetryInterval;
    }

    public String manufacturer() {
        return manufacturer;
    }

    public String model() {
        return model;
    }

    /** Newest first: the current release, then supported older ones; the last is outdated. */
    public List<String> firmwareVersions() {
        return firmwareVersions;
    }

    public List<Service> services() {
        return services;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DeviceProfile parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("profile: '" + s + "' (expected one of sensor, meter, camera, controller, gateway)");
        }
    }

    /** One telemetry message body (JSON) for this kind of device. */
    public String telemetry(long sequence, RandomGenerator r) {
        return switch (this) {
            case SENSOR -> String.format(Locale.ROOT, "{\"seq\":%d,\"temperature\":%.2f,\"humidity\":%.1f}", sequence, 18 + r.nextDouble() * 8, 35 + r.nextDouble() * 30);
            case METER -> String.format(Locale.ROOT, "{\"seq\":%d,\"energyWh\":%d,\"voltage\":%.1f,\"current\":%.2f}", sequence, 1000 + sequence * 7,
                    228 + r.nextDouble() * 4, r.nextDouble() * 16);
            case CAMERA -> String.format(Locale.ROOT, "{\"seq\":%d,\"motion\":%b,\"fps\":%d,\"bitrateKbps\":%d}", sequence, r.nextInt(20) == 0, 25,
                    1800 + r.nextInt(400));
            case CONTROLLER -> String.format(Locale.ROOT, "{\"seq\":%d,\"setpoint\":%.1f,\"valve\":%d,\"mode\":\"auto\"}", sequence, 60.0, r.nextInt(101));
            case GATEWAY -> String.format(Locale.ROOT, "{\"seq\":%d,\"childDevices\":%d,\"queueDepth\":%d,\"uplinkRttMs\":%d}", sequence, 8 + r.nextInt(4),
                    r.nextInt(10), 20 + r.nextInt(60));
        };
    }
}
