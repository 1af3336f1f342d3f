package dev.holdfast.hub.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.holdfast.hub.TelemetryMessage;
import dev.holdfast.hub.internal.JdbcTelemetryStore;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import dev.holdfast.testing.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Routes over a real SQLite store, real files and a real HTTPS receiver on loopback. */
class TelemetryRouterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOT = "message.properties.alarm == 'high' && body.t > 30";

    @TempDir
    Path dir;
    private Database db;
    private JdbcTelemetryStore store;
    private TelemetryRouter router;
    private HttpsServer server;

    @BeforeEach
    void open() {
        db = Database.open(StoreConfig.embedded(dir));
        db.migrate("hub");
        store = new JdbcTelemetryStore(db, Clock.systemUTC(), Duration.ofDays(1), 10_000);
    }

    @AfterEach
    void close() {
        if (router != null) router.close();
        if (server != null) server.stop(0);
        store.close();
        db.close();
    }

    private static TelemetryMessage msg(String device, Map<String, String> props, String body) {
        return new TelemetryMessage(device, Optional.empty(), Instant.now(), Map.of("ct", "application/json"), props,
                Bytes.wrapOwned(body.getBytes(StandardCharsets.UTF_8)), false);
    }

    private static boolean matches(String expr, TelemetryMessage m) {
        return RouteCondition.compile(expr).test(RouteCondition.variables(m));
    }

    @Test
    void condition_firesOnPropertiesAndJsonBodyOnlyWhenBothHold() {
        assertThat(matches(HOT, msg("d1", Map.of("alarm", "high"), "{\"t\": 31.5}"))).isTrue();
        assertThat(matches(HOT, msg("d1", Map.of("alarm", "high"), "{\"t\": 31}"))).isTrue();
        assertThat(matches(HOT, msg("d1", Map.of("alarm", "high"), "{\"t\": 30}"))).isFalse();
        assertThat(matches(HOT, msg("d1", Map.of("alarm", "low"), "{\"t\": 99}"))).isFalse();
        assertThat(matches(HOT, msg("d1", Map.of(), "{\"t\": 99}"))).as("missing property: no match, no exception").isFalse();
        assertThat(matches(HOT, msg("d1", Map.of("alarm", "high"), "not json"))).as("body not JSON").isFalse();
        assertThat(matches("message.system.ct == 'application/json' && message.deviceId.startsWith('d')",
                msg("d1", Map.of(), "{}"))).isTrue();
        assertThat(matches("body.size() == 0", msg("d1", Map.of(), "\u0000\u0000\u0000 "))).as("no JSON document (found by fuzzing)").isTrue();
        assertThat(matches("body.size() == 0", msg("d1", Map.of(), "null"))).isTrue();
        assertThat(matches("has(body.t) && !has(message.properties.alarm)", msg("d1", Map.of(), "{\"t\": 1}"))).isTrue();
        assertThat(matches("body.readings.exists(r, r > 100)", msg("d1", Map.of(), "{\"readings\": [1, 2, 150]}"))).isTrue();
        assertThat(matches("body.sensors[1].ok", msg("d1", Map.of(), "{\"sensors\":[{\"ok\":false},{\"ok\":true}]}"))).isTrue();
    }

    @Test
    void condition_refusesExpressionsThatDoNotCompileOrAreNotBool() {
        assertThatThrownBy(() -> RouteCondition.compile("message.properties.alarm ==")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("does not compile");
        assertThatThrownBy(() -> RouteCondition.compile("body.t + 1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RouteCondition.compile(" ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> RouteCondition.compile("nosuchvar == 1")).hasMessageContaining("does not compile");
    }

    private static void acceptAll(TelemetryRouter r, List<TelemetryMessage> ms) throws Exception {
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (TelemetryMessage m : ms) fs.add(r.accept(m).toCompletableFuture());
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    }

    /** Half the messages are hot; returns the hot ones' sequence numbers. */
    private static List<TelemetryMessage> mixed(int n) {
        List<TelemetryMessage> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean hot = i % 2 == 0;
            ms.add(msg("dev-" + i, Map.of("alarm", hot ? "high" : "low", "seq", Integer.toString(i)), "{\"t\": " + (hot ? 40 + i : 10) + "}"));
        }
        return ms;
    }

    private static List<String> seqs(List<JsonNode> lines) {
        return lines.stream().map(n -> n.path("properties").path("seq").asText()).toList();
    }

    private static List<JsonNode> readLines(Path... files) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (Path f : files) {
            if (!Files.exists(f)) continue;
            for (String l : Files.readAllLines(f)) out.add(JSON.readTree(l));
        }
        return out;
    }

    @Test
    void jsonLines_receivesExactlyTheMatchingMessages_andTheStoreKeepsItsOwnRoute() throws Exception {
        Path file = dir.resolve("routes/hot.jsonl");
        router = new TelemetryRouter(List.of(
                new Route("hot-file", RouteCondition.compile(HOT), new RouteEndpoint.JsonLines(file, 1 << 20, 3)),
                new Route("all", RouteCondition.always(), new RouteEndpoint.Store())), store, new SimpleMeterRegistry());
        acceptAll(router, mixed(20));

        List<JsonNode> lines = readLines(file);
        assertThat(seqs(lines)).containsExactly("0", "2", "4", "6", "8", "10", "12", "14", "16", "18");
        assertThat(lines.getFirst().path("body").path("t").asInt()).isEqualTo(40);
        assertThat(lines.getFirst().path("deviceId").asText()).isEqualTo("dev-0");
        assertThat(store.after(0, 100)).hasSize(20);
        assertThat(router.metrics("hot-file").matched()).isEqualTo(10);
        assertThat(router.metrics("hot-file").delivered()).isEqualTo(10);
        assertThat(router.metrics("all").delivered()).isEqualTo(20);
    }

    @Test
    void jsonLines_rotatesBySizeAndLosesNothingWithinKeep() throws Exception {
        Path file = dir.resolve("all.jsonl");
        router = new TelemetryRouter(List.of(new Route("all-file", RouteCondition.always(), new RouteEndpoint.JsonLines(file, 2048, 5))),
                store, new SimpleMeterRegistry());
        acceptAll(router, mixed(30));

        Path[] files = {JsonLinesFile.sibling(file, 3), JsonLinesFile.sibling(file, 2), JsonLinesFile.sibling(file, 1), file};
        assertThat(Files.exists(JsonLinesFile.sibling(file, 1))).isTrue();
        for (Path f : files) if (Files.exists(f)) assertThat(Files.size(f)).isLessThanOrEqualTo(2048);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 30; i++) expected.add(Integer.toString(i));
        assertThat(seqs(readLines(files))).containsExactlyElementsOf(expected);
        assertThat(store.after(0, 100)).as("no store route: nothing stored").isEmpty();
    }

    @Test
    void noMatchingRoute_acknowledgesAndStoresNothing() throws Exception {
        router = new TelemetryRouter(List.of(new Route("hot", RouteCondition.compile(HOT), new RouteEndpoint.Store())), store,
                new SimpleMeterRegistry());
        acceptAll(router, List.of(msg("d", Map.of("alarm", "low"), "{\"t\":50}")));
        assertThat(store.after(0, 10)).isEmpty();
        assertThat(router.metrics("hot").matched()).isZero();
    }

    @Test
    void webhook_deliversOverHttpsInOrder_throughAnOutage_withNothingLost() throws Exception {
        TestCertificates.Root root = TestCertificates.newRoot("Route Test Root");
        TestCertificates.Issued cert = root.issueServer("127.0.0.1");
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(TlsPolicy.sslContext(cert.key(), cert.chainArray(), List.of())));
        List<JsonNode> received = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean down = new AtomicBoolean(true);
        AtomicInteger refused = new AtomicInteger();
        server.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (down.get()) {
                refused.incrementAndGet();
                ex.sendResponseHeaders(503, -1);
            } else {
                received.add(JSON.readTree(body));
                ex.sendResponseHeaders(204, -1);
            }
            ex.close();
        });
        server.start();
        URI url = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        router = new TelemetryRouter(List.of(new Route("hook", RouteCondition.compile(HOT),
                new RouteEndpoint.Webhook(url, List.of(root.certificate()), Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofMillis(400)))),
                store, meters);

        acceptAll(router, mixed(10));
        // The stage completed: each hot message is in the store (the webhook's spool) before the PUBACK.
        assertThat(store.after(0, 100)).hasSize(5);
        await().atMost(Duration.ofSeconds(10)).until(() -> refused.get() >= 3);
        assertThat(received).isEmpty();
        down.set(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 5);
        Thread.sleep(300); // nothing more may arrive: no duplicates
        assertThat(seqs(received)).containsExactly("0", "2", "4", "6", "8");
        assertThat(router.metrics("hook").delivered()).isEqualTo(5);
        assertThat(router.metrics("hook").failed()).isGreaterThanOrEqualTo(3);
        assertThat(meters.get("holdfast.hub.route.messages").tag("route", "hook").tag("outcome", "matched").counter().count()).isEqualTo(5);
    }

    @Test
    void webhook_refusesAServerNotChainingToItsRoots() throws Exception {
        TestCertificates.Root root = TestCertificates.newRoot("Real Root");
        TestCertificates.Root other = TestCertificates.newRoot("Other Root");
        TestCertificates.Issued cert = other.issueServer("127.0.0.1");
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(TlsPolicy.sslContext(cert.key(), cert.chainArray(), List.of())));
        AtomicInteger hits = new AtomicInteger();
        server.createContext("/hook", ex -> {
            hits.incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        URI url = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        router = new TelemetryRouter(List.of(new Route("hook", RouteCondition.always(),
                new RouteEndpoint.Webhook(url, List.of(root.certificate()), Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofMillis(100)))),
                store, new SimpleMeterRegistry());
        acceptAll(router, mixed(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> router.metrics("hook").failed() >= 2);
        assertThat(hits.get()).isZero();
        assertThat(router.metrics("hook").delivered()).isZero();
    }

    @Test
    void webhook_resumesFromItsDurableCursorAfterARestart() throws Exception {
        TestCertificates.Root root = TestCertificates.newRoot("Route Test Root");
        TestCertificates.Issued cert = root.issueServer("127.0.0.1");
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(TlsPolicy.sslContext(cert.key(), cert.chainArray(), List.of())));
        List<JsonNode> received = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean down = new AtomicBoolean(false);
        server.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (down.get()) {
                ex.sendResponseHeaders(500, -1);
            } else {
                received.add(JSON.readTree(body));
                ex.sendResponseHeaders(200, -1);
            }
            ex.close();
        });
        server.start();
        URI url = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        RouteEndpoint.Webhook hook = new RouteEndpoint.Webhook(url, List.of(root.certificate()), Duration.ofSeconds(5), Duration.ofMillis(50),
                Duration.ofMillis(100));
        router = new TelemetryRouter(List.of(new Route("hook", RouteCondition.always(), hook)), store, new SimpleMeterRegistry());
        acceptAll(router, mixed(3));
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 3);
        down.set(true);
        acceptAll(router, mixed(2));
        router.close();
        down.set(false);
        router = new TelemetryRouter(List.of(new Route("hook", RouteCondition.always(), hook)), store, new SimpleMeterRegistry());
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 5);
        Thread.sleep(300);
        assertThat(seqs(received)).containsExactly("0", "1", "2", "0", "1");
    }
}
