package dev.holdfast.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.device.Certificates;
import dev.holdfast.device.sim.EnrollmentApi;
import dev.holdfast.device.sim.Factory;
import dev.holdfast.device.sim.FleetSimulator;
import dev.holdfast.device.sim.SimulatedDevice;
import dev.holdfast.device.sim.SimulationConfig;
import dev.holdfast.device.sim.SimulationReport;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.server.cli.CliFailure;
import dev.holdfast.server.config.ConfigLoader;
import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.config.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code holdfast demo}: a server with the embedded store in {@code ./holdfast-demo}, a manufacturer CA
 * and an enrollment group, a simulated fleet provisioned over DPS (HTTPS) to two linked hubs and
 * connected over mutual-TLS MQTT, then three security stories: a revoked device cut off, a burst of
 * rogue connections turned into an alert, misconfigured devices flagged by posture. Everything runs
 * on loopback over real TLS, and the run ends with what happened and where to look.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Starts a server in ./holdfast-demo, provisions a simulated fleet over two linked hubs and plays a few security stories.",
                "It can run again on the same directory. Stop it with Ctrl-C, or give --duration."})
public final class DemoCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> HUBS = List.of("hub-a.demo.holdfast.test", "hub-b.demo.holdfast.test");
    static final String GROUP = "demo-factory";

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./holdfast-demo", description = "Where the demo keeps its data (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--devices", defaultValue = "200", description = "How many devices the fleet has (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Stop after this long, e.g. 60s or PT1M (default: run until Ctrl-C).")
    String duration;

    @Option(names = "--port", defaultValue = "8443", description = "HTTPS port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--mqtt-port", defaultValue = "8883", description = "MQTT (hub) port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int mqttPort;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (devices < 5 || devices > 10_000) throw CliFailure.usage("--devices: " + devices + " (expected: 5..10000)");
        Duration stopAfter = duration == null ? null : dev.holdfast.server.cli.CliDurations.parse(duration, "--duration");
        long started = System.nanoTime();
        if (port == 0) port = freePort();
        if (mqttPort == 0) mqttPort = freePort();
        if (!Files.exists(dataDir)) {
            // The data directory holds the CA key store and the database: private from the start.
            Files.createDirectories(dataDir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        Path configFile = writeConfig(dataDir);
        HoldfastConfig config = new ConfigLoader().load(configFile, env)
                .with(Settings.SERVER_HTTPS_PORT, port)
                .with(Settings.HUB_MQTT_PORT, mqttPort);
        step("starting the server in " + dataDir.toAbsolutePath() + " (configuration: " + configFile + ")");
        try (HoldfastServer server = HoldfastServer.start(dataDir, config, env)) {
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "holdfast-demo-shutdown"));
            URI base = URI.create("https://127.0.0.1:" + server.httpsPort());
            int hubPort = server.hub().orElseThrow(() -> new IllegalStateException("the demo needs the hub (hub.enabled)")).hub().port();
            List<X509Certificate> trust = Certificates.readPem(dataDir.resolve("bootstrap/trust-bundle.pem"));
            String admin = Files.readString(dataDir.resolve("bootstrap/admin.token")).strip();
            Api api = new Api(base, admin, TlsPolicy.clientContext(trust));
            long firstEvent = api.lastEventSequence();

            step("factory: a manufacturer CA, proven to the server, an enrollment group on it, two linked hubs");
            Factory factory = factory(dataDir.resolve("factory"));
            EnrollmentApi enrollments = new EnrollmentApi(base, trust, admin);
            enrollments.ensureHub("hub-a", HUBS.get(0), 1);
            enrollments.ensureHub("hub-b", HUBS.get(1), 1);
            enrollments.ensureGroup(GROUP, factory);
            String idScope = api.get("/api/v1/provisioning/scope").path("idScope").asText();
            out.printf("    manufacturer CA %s, id scope %s%n", factory.certificate().getSubjectX500Principal().getName(), idScope);

            step("fleet: " + devices + " devices provision over DPS (mutual TLS with their IDevID, a CSR for a key of their own) and connect over MQTT");
            int rogues = 3;
            SimulationConfig sim = SimulationConfig.builder(factory, trust).devices(devices).idPrefix("demo").seed(7)
                    .misconfiguredShare(0.1).telemetryInterval(Duration.ofSeconds(5))
                    .provisionOverHttps(base, idScope).hubConnectHost("127.0.0.1", hubPort)
                    .misbehaviour(rogues, 0, 0, 0, Duration.ZERO)
                    .build();
            try (FleetSimulator fleet = FleetSimulator.start(sim, line -> {
                out.println("    " + line);
                out.flush();
            })) {
                SimulationReport first = fleet.report();
                out.printf("    %d provisioned, %d connected; hub sessions now: %d%n", first.provisioned(), first.connected(), api.sessions());

                step("story 1: a compromised device is revoked and the hub cuts it off");
                Optional<SimulatedDevice> victim = fleet.devices().stream().filter(d -> d.operational() != null && d.deviceId() != null).findFirst();
                if (victim.isPresent()) {
                    SimulatedDevice d = victim.get();
                    String serial = d.operational().chain().get(0).getSerialNumber().toString(16);
                    long t0 = System.nanoTime();
                    api.post("/api/v1/certificates/" + serial + "/revoke", Map.of("reason", "keyCompromise"));
                    boolean gone = false;
                    for (int i = 0; i < 100 && !gone; i++) {
                        gone = api.status("/api/v1/hub/sessions/" + d.deviceId()) == 404;
                        if (!gone) Thread.sleep(20);
                    }
                    out.printf("    %s: certificate %s revoked; session %s after %d ms; its reconnections are refused%n", d.deviceId(), serial,
                            gone ? "closed" : "STILL OPEN", (System.nanoTime() - t0) / 1_000_000);
                }

                step("story 2: rogue devices from an unknown manufacturer keep trying; the alert rule turns the failures into a finding");
                JsonNode alert = null;
                for (int i = 0; i < 150 && alert == null; i++) {
                    alert = api.firstEvent(firstEvent, "alert.");
                    if (alert == null) Thread.sleep(100);
                }
                out.println(alert == null ? "    no alert yet (the rogues are still backing off)"
                        : "    detection finding: " + alert.path("message").asText(alert.path("activity").asText()));

                step("story 3: posture judges what the devices report; misconfigured ones turn non-compliant");
                int flagged = 0;
                String example = null;
                for (int attempt = 0; attempt < 50 && flagged == 0; attempt++) {
                    JsonNode rows = api.post("/api/v1/devices/query",
                            Map.of("query", "SELECT * FROM devices WHERE health.compliance = 'non-compliant'", "pageSize", 1000)).path("rows");
                    flagged = rows.size();
                    if (flagged > 0) example = rows.get(0).path("deviceId").asText() + ": " + rows.get(0).path("health").path("reasons");
                    else Thread.sleep(200);
                }
                out.printf("    %d devices non-compliant%s%n", flagged, example == null ? "" : "; for example " + abbreviate(example, 200));

                if (stopAfter != null) {
                    Duration left = stopAfter.minusNanos(System.nanoTime() - started);
                    if (!left.isNegative()) {
                        step("telemetry flows for " + left.toSeconds() + " s more");
                        Thread.sleep(left.toMillis());
                    }
                }
                SimulationReport last = fleet.report();
                Map<String, Integer> byActivity = api.eventsByActivity(firstEvent);
                out.println();
                out.println("Summary");
                out.printf("  devices provisioned:   %d of %d (%d misconfigured on purpose)%n", last.provisioned(), last.planned(), last.misconfigured());
                out.printf("  devices connected:     %d (hub sessions open now: %d)%n", last.connected(), api.sessions());
                out.printf("  telemetry:             %d messages sent, %d acknowledged by the hub%n", last.telemetrySent(), last.telemetryAcknowledged());
                out.printf("  rogue connections:     %d refused%n", last.authFailuresRefused());
                out.printf("  security events:       %d, by activity:%n", byActivity.values().stream().mapToInt(Integer::intValue).sum());
                byActivity.forEach((k, v) -> out.printf("    %-40s %d%n", k, v));
                out.println();
                out.println("Where to look (the server keeps running" + (stopAfter == null ? " until Ctrl-C):" : " until the end of --duration):"));
                Path bundle = dataDir.resolve("bootstrap/trust-bundle.pem");
                out.printf("  export HOLDFAST_TOKEN=$(cat %s)%n", dataDir.resolve("bootstrap/admin.token"));
                out.printf("  ./holdfast events tail --server %s --data-dir %s --follow%n", base, dataDir);
                out.printf("  ./holdfast device query --server %s --data-dir %s \"SELECT COUNT() AS n, hub FROM devices GROUP BY hub\"%n", base, dataDir);
                out.printf("  ./holdfast hub sessions --server %s --data-dir %s%n", base, dataDir);
                out.printf("  ./holdfast posture fleet --server %s --data-dir %s%n", base, dataDir);
                out.printf("  curl --cacert %s -H \"Authorization: Bearer $HOLDFAST_TOKEN\" \"%s/api/v1/events?tail=20\"%n", bundle, base);
                out.flush();
                if (stopAfter == null) server.awaitStop();
            }
        }
        return 0;
    }

    /** The demo's configuration file, written once and kept: operators can read and change it. */
    static Path writeConfig(Path dataDir) throws IOException {
        Path file = dataDir.resolve("holdfast.yaml");
        if (Files.exists(file)) return file;
        String yaml = """
                # Written by 'holdfast demo'; edit it and run the demo again, or start 'holdfast server --config' with it.
                server:
                  https:
                    bindAddress: 127.0.0.1
                  publicHostname: 127.0.0.1
                  tls:
                    # The linked hubs' names: devices check them in the hub's certificate.
                    subjectAltNames: [%s, %s]
                  shutdownGracePeriod: 2s
                hub:
                  mqtt:
                    bindAddress: 127.0.0.1
                events:
                  alertRules:
                    - name: rogue-connections
                      type: threshold
                      condition: event.class == 'AUTHENTICATION' && event.outcome == 'FAILURE'
                      groupBy: []
                      count: 5
                      window: 1m
                      severity: high
                """.formatted(HUBS.get(0), HUBS.get(1));
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    /** The demo factory's manufacturer CA: made on the first run, kept (key 0600) for the next. */
    private static Factory factory(Path dir) throws IOException {
        Path cert = dir.resolve("manufacturer-ca.pem");
        Path key = dir.resolve("manufacturer-ca.key");
        if (Files.exists(cert) && Files.exists(key)) return Factory.load(cert, key);
        Files.createDirectories(dir);
        Factory f = Factory.generate("Demo Devices Inc. Manufacturer CA");
        f.save(cert, key);
        return f;
    }

    /** The admin REST API, as an operator's script would call it. */
    private record Api(URI base, String token, SSLContext tls) {
        private HttpClient client() {
            return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
        }

        private HttpResponse<String> send(String method, String path, Object body) throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
            if (body == null) b.method(method, HttpRequest.BodyPublishers.noBody());
            else b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            try (HttpClient c = client()) {
                return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
            }
        }

        JsonNode get(String path) throws IOException, InterruptedException {
            return checked(send("GET", path, null));
        }

        JsonNode post(String path, Object body) throws IOException, InterruptedException {
            return checked(send("POST", path, body));
        }

        int status(String path) throws IOException, InterruptedException {
            return send("GET", path, null).statusCode();
        }

        int sessions() throws IOException, InterruptedException {
            return get("/api/v1/hub/sessions").path("items").size();
        }

        long lastEventSequence() throws IOException, InterruptedException {
            return get("/api/v1/events?limit=1").path("lastSequence").asLong(0);
        }

        /** The events after {@code after}, page by page (at most 100 pages of 1,000). */
        List<JsonNode> events(long after) throws IOException, InterruptedException {
            List<JsonNode> all = new java.util.ArrayList<>();
            for (int page = 0; page < 100; page++) {
                JsonNode r = get("/api/v1/events?limit=1000&after=" + after);
                r.path("items").forEach(all::add);
                if (r.path("items").isEmpty() || r.path("next").asLong() == after) break;
                after = r.path("next").asLong();
            }
            return all;
        }

        JsonNode firstEvent(long after, String activityPrefix) throws IOException, InterruptedException {
            return events(after).stream().filter(e -> e.path("activity").asText().startsWith(activityPrefix)).findFirst().orElse(null);
        }

        Map<String, Integer> eventsByActivity(long after) throws IOException, InterruptedException {
            Map<String, Integer> by = new TreeMap<>();
            for (JsonNode e : events(after)) by.merge(e.path("activity").asText(), 1, Integer::sum);
            return by;
        }

        private static JsonNode checked(HttpResponse<String> r) throws IOException {
            if (r.statusCode() / 100 != 2) {
                throw new IOException(r.request().method() + " " + r.request().uri().getPath() + " answered " + r.statusCode() + ": "
                        + abbreviate(r.body(), 300));
            }
            return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        }
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    private void step(String s) {
        out.println("==> " + s);
        out.flush();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
