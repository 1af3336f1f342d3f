package dev.holdfast.server.cli;

import dev.holdfast.device.Certificates;
import dev.holdfast.device.sim.DeviceProfile;
import dev.holdfast.device.sim.EnrollmentApi;
import dev.holdfast.device.sim.Factory;
import dev.holdfast.device.sim.FleetSimulator;
import dev.holdfast.device.sim.SimulationConfig;
import dev.holdfast.device.sim.SimulationReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code holdfast sim}: a simulated fleet on the device SDK. The simulator is the factory: it makes
 * (or loads) a manufacturer CA, issues every device an IDevID, can create the enrollment group for
 * that CA through the admin API, provisions the devices over DPS (HTTPS or MQTT) and runs them.
 */
@Command(name = "sim", mixinStandardHelpOptions = true, description = "Run a simulated device fleet against a Holdfast server (or any MQTT broker).")
public final class SimCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--devices", defaultValue = "100", description = "Number of devices (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--profiles", paramLabel = "P=W,...", description = "Profile weights, e.g. sensor=5,meter=3,camera=1 (default: all five equally).")
    String profiles;

    @Option(names = "--misconfigured", defaultValue = "0.1", description = "Share of devices with misconfigurations or outdated firmware (default: ${DEFAULT-VALUE}).")
    double misconfigured;

    @Option(names = "--telemetry-interval", paramLabel = "DURATION", description = "One telemetry interval for every device, e.g. 5s (default: per profile, 5 s to 30 s).")
    String telemetryInterval;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "0s", description = "How long to run after the fleet is up; 0 = until interrupted (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--server", paramLabel = "URL", defaultValue = "https://localhost:8443",
            description = "The Holdfast server: DPS over HTTPS, EST and the admin API (default: ${DEFAULT-VALUE}).")
    URI server;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./holdfast-data",
            description = "The server's data directory, for DIR/bootstrap/trust-bundle.pem and admin.token (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--trust-bundle", paramLabel = "FILE", description = "PEM roots the server and hub certificates must chain to (default: DIR/bootstrap/trust-bundle.pem).")
    Path trustBundle;

    @Option(names = "--provisioning", defaultValue = "https", description = "https, mqtt, or none (connect straight to --hub with the IDevID) (default: ${DEFAULT-VALUE}).")
    String provisioning;

    @Option(names = "--dps-mqtt", paramLabel = "HOST:PORT", description = "DPS over MQTT endpoint (default: the server's host, port 8883).")
    String dpsMqtt;

    @Option(names = "--hub", paramLabel = "HOST:PORT", description = "Where to open hub connections (with --provisioning none: the hub itself; otherwise overrides the assigned hub's address, its name is still checked).")
    String hub;

    @Option(names = "--id-scope", defaultValue = "holdfast", description = "Provisioning id scope (default: ${DEFAULT-VALUE}).")
    String idScope;

    @Option(names = "--manufacturer-ca-cert", paramLabel = "FILE", description = "Manufacturer CA certificate (PEM); with --manufacturer-ca-key. Default: generate one and save it in --state-dir.")
    Path caCert;

    @Option(names = "--manufacturer-ca-key", paramLabel = "FILE", description = "Manufacturer CA private key (PEM, unencrypted, mode 0600).")
    Path caKey;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "./holdfast-sim", description = "Where a generated manufacturer CA is saved (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--create-enrollment", paramLabel = "GROUP", description = "Create (or keep) enrollment group GROUP for the manufacturer CA through the admin API; token from HOLDFAST_TOKEN or DIR/bootstrap/admin.token.")
    String enrollmentGroup;

    @Option(names = "--auth-failures", defaultValue = "0", description = "Rogue devices (unenrolled manufacturer) that keep trying to connect.")
    int authFailures;

    @Option(names = "--topic-abuse", defaultValue = "0", description = "Devices that publish outside their own topics once connected.")
    int topicAbuse;

    @Option(names = "--flood", defaultValue = "0", description = "Devices that flood telemetry at --flood-rate for --flood-duration.")
    int flood;

    @Option(names = "--flood-rate", defaultValue = "200", description = "Messages per second per flooding device (default: ${DEFAULT-VALUE}).")
    int floodRate;

    @Option(names = "--flood-duration", defaultValue = "10s", description = "How long floods last (default: ${DEFAULT-VALUE}).")
    String floodDuration;

    @Option(names = "--concurrency", defaultValue = "64", description = "Devices provisioning and connecting at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--io-threads", defaultValue = "2", description = "Netty event loop threads shared by all devices (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--id-prefix", defaultValue = "sim", description = "Registration ids are PREFIX-PROFILE-NNNNN (default: ${DEFAULT-VALUE}).")
    String idPrefix;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the fleet's random choices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-posture", description = "Do not report posture properties (a plain MQTT broker never answers twin requests).")
    boolean noPosture;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path bundle = trustBundle != null ? trustBundle : dataDir.resolve("bootstrap/trust-bundle.pem");
        if (!Files.isRegularFile(bundle)) throw CliFailure.usage("trust bundle " + bundle + " not found (give --trust-bundle or --data-dir)");
        List<X509Certificate> trust;
        try {
            trust = Certificates.readPem(bundle);
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage(e.getMessage());
        }
        Factory factory = factory(out);
        if (enrollmentGroup != null) {
            String token = token();
            new EnrollmentApi(server, trust, token).ensureGroup(enrollmentGroup, factory);
            out.println("enrollment group " + enrollmentGroup + " ready for " + factory.certificate().getSubjectX500Principal());
        }
        SimulationConfig.Builder b = SimulationConfig.builder(factory, trust).devices(devices).misconfiguredShare(misconfigured)
                .idPrefix(idPrefix).seed(seed).concurrency(concurrency).ioThreads(ioThreads).reportPosture(!noPosture)
                .misbehaviour(authFailures, topicAbuse, flood, floodRate, CliDurations.parse(floodDuration, "--flood-duration"));
        if (profiles != null) b.profileWeights(weights(profiles));
        if (telemetryInterval != null) b.telemetryInterval(CliDurations.parse(telemetryInterval, "--telemetry-interval"));
        switch (provisioning.toLowerCase(Locale.ROOT)) {
            case "https" -> b.provisionOverHttps(server, idScope);
            case "mqtt" -> {
                HostPort hp = dpsMqtt == null ? new HostPort(server.getHost(), 8883) : HostPort.parse(dpsMqtt, "--dps-mqtt");
                b.provisionOverMqtt(hp.host(), hp.port(), idScope);
            }
            case "none" -> {
                if (hub == null) throw CliFailure.usage("--provisioning none needs --hub HOST:PORT");
                HostPort hp = HostPort.parse(hub, "--hub");
                b.directTo(hp.host(), hp.port());
            }
            default -> throw CliFailure.usage("--provisioning: '" + provisioning + "' (expected: https, mqtt or none)");
        }
        if (hub != null && !provisioning.equalsIgnoreCase("none")) {
            HostPort hp = HostPort.parse(hub, "--hub");
            b.hubConnectHost(hp.host(), hp.port());
        }
        SimulationConfig config;
        try {
            config = b.build();
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage(e.getMessage());
        }
        Duration runFor = CliDurations.parse(duration, "--duration");
        out.println("starting " + devices + " devices (" + provisioning + " provisioning)");
        out.flush();
        try (FleetSimulator sim = FleetSimulator.start(config, line -> {
            out.println(line);
            out.flush();
        })) {
            SimulationReport up = sim.report();
            out.println(up.summary());
            out.flush();
            if (runFor.isZero()) {
                Thread.sleep(Long.MAX_VALUE); // until interrupted (Ctrl-C)
            } else {
                Thread.sleep(runFor.toMillis());
            }
            out.println(sim.report().summary());
            return up.connected() == 0 && devices > 0 ? CliFailure.REFUSED : 0;
        }
    }

    private Factory factory(PrintWriter out) {
        if ((caCert == null) != (caKey == null)) throw CliFailure.usage("--manufacturer-ca-cert and --manufacturer-ca-key go together");
        if (caCert != null) {
            try {
                return Factory.load(caCert, caKey);
            } catch (RuntimeException e) {
                throw CliFailure.usage("manufacturer CA: " + e.getMessage());
            }
        }
        Path cert = stateDir.resolve("manufacturer-ca.pem");
        Path key = stateDir.resolve("manufacturer-ca.key");
        if (Files.isRegularFile(cert) && Files.isRegularFile(key)) return Factory.load(cert, key);
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw CliFailure.refused("cannot create " + stateDir + ": " + e.getMessage());
        }
        Factory f = Factory.generate("Holdfast Sim Manufacturer");
        f.save(cert, key);
        out.println("generated manufacturer CA " + cert + " (key " + key + ")");
        return f;
    }

    private String token() {
        String env = System.getenv("HOLDFAST_TOKEN");
        if (env != null && !env.isBlank()) return env.strip();
        Path file = dataDir.resolve("bootstrap/admin.token");
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw CliFailure.usage("no admin token: set HOLDFAST_TOKEN or give --data-dir with bootstrap/admin.token (" + e.getMessage() + ")");
        }
    }

    static Map<DeviceProfile, Integer> weights(String spec) {
        Map<DeviceProfile, Integer> w = new EnumMap<>(DeviceProfile.class);
        for (String part : spec.split(",")) {
            String[] kv = part.split("=", 2);
            try {
                w.put(DeviceProfile.parse(kv[0]), kv.length == 2 ? Integer.parseInt(kv[1].strip()) : 1);
            } catch (IllegalArgumentException e) {
                throw CliFailure.usage("--profiles: " + e.getMessage());
            }
        }
        return w;
    }

    record HostPort(String host, int port) {
        static HostPort parse(String s, String option) {
            int colon = s.lastIndexOf(':');
            try {
                if (colon <= 0) throw new NumberFormatException();
                int port = Integer.parseInt(s.substring(colon + 1));
                if (port < 1 || port > 65535) throw new NumberFormatException();
                return new HostPort(s.substring(0, colon), port);
            } catch (NumberFormatException e) {
                throw CliFailure.usage(option + ": '" + s + "' (expected HOST:PORT)");
            }
        }
    }
}
