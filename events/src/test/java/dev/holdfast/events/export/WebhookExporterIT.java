package dev.holdfast.events.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.testing.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The webhook exporter against an HTTPS receiver (JDK HttpsServer on loopback) that verifies the
 * documented scheme independently: HMAC-SHA256 over timestamp.delivery.body, a 5-minute window and
 * a memory of delivery ids.
 */
class WebhookExporterIT {
    private static final byte[] SECRET = "a-32-byte-shared-secret-for-test".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private HttpsServer server;
    private TestCertificates.Root root;
    private final List<Delivery> accepted = new CopyOnWriteArrayList<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private final Set<String> seenDeliveries = ConcurrentHashMap.newKeySet();

    record Delivery(String id, String timestamp, String signature, byte[] body) {
    }

    @BeforeEach
    void startReceiver() throws Exception {
        root = TestCertificates.newRoot("webhook test root");
        TestCertificates.Issued cert = root.issueServer("localhost", "127.0.0.1");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", cert.key(), new char[0], cert.chainArray());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/events", this::receive);
        server.start();
    }

    @AfterEach
    void stopReceiver() {
        server.stop(0);
    }

    /** The receiver's verification, written from docs/events.md rather than from the exporter's code. */
    private void receive(HttpExchange x) throws java.io.IOException {
        byte[] body = x.getRequestBody().readAllBytes();
        String id = x.getRequestHeaders().getFirst("X-Holdfast-Delivery");
        String ts = x.getRequestHeaders().getFirst("X-Holdfast-Timestamp");
        String sig = x.getRequestHeaders().getFirst("X-Holdfast-Signature");
        String refusal = null;
        if (id == null || ts == null || sig == null || !sig.startsWith("v1=")) {
            refusal = "missing headers";
        } else {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(SECRET, "HmacSHA256"));
                byte[] expected = mac.doFinal(concat((ts + "." + id + ".").getBytes(StandardCharsets.US_ASCII), body));
                byte[] given = HexFormat.of().parseHex(sig.substring(3));
                if (!MessageDigest.isEqual(expected, given)) refusal = "bad signature";
                else if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(ts)) > 300) refusal = "stale timestamp";
                else if (!seenDeliveries.add(id)) refusal = "replayed delivery";
            } catch (Exception e) {
                refusal = "unverifiable: " + e;
            }
        }
        if (refusal != null) {
            refusals.add(refusal);
            x.sendResponseHeaders(401, -1);
        } else {
            accepted.add(new Delivery(id, ts, sig, body));
            x.sendResponseHeaders(204, -1);
        }
        x.close();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private URI url() {
        return URI.create("https://localhost:" + server.getAddress().getPort() + "/events");
    }

    @Test
    void signedDeliveries_areAcceptedAndCarryOcsfJson() throws Exception {
        try (ExporterHarness h = new ExporterHarness(dir)) {
            h.pipeline.add(ExporterSpec.named("hook").withFilter(Set.of(EventClass.DETECTION_FINDING), Severity.MEDIUM), "webhook",
                    new WebhookExporter(url(), ExportTestSupport.clientTls(root), SECRET, Duration.ofSeconds(5), Clock.systemUTC()));
            SecurityEvent finding = SecurityEvent.builder(EventClass.DETECTION_FINDING, "alert.auth_failures")
                    .severity(Severity.HIGH).device("meter-7").message("5 failures in 1m").detail("count", 5).build();
            h.log.append(SecurityEvent.builder(EventClass.DETECTION_FINDING, "alert.low").severity(Severity.LOW).build());
            h.log.append(SecurityEvent.builder(EventClass.AUTHENTICATION, "mqtt.connect").severity(Severity.HIGH).build());
            h.log.append(finding);
            await().atMost(Duration.ofSeconds(20)).until(() -> !accepted.isEmpty());
            JsonNode events = JSON.readTree(accepted.get(0).body());
            assertThat(events).hasSize(1); // the filter dropped the low-severity finding and the other class
            JsonNode e = events.get(0);
            assertThat(e.get("class_uid").asInt()).isEqualTo(2004);
            assertThat(e.get("category_uid").asInt()).isEqualTo(2);
            assertThat(e.get("type_uid").asLong()).isEqualTo(200499);
            assertThat(e.get("severity_id").asInt()).isEqualTo(4);
            assertThat(e.at("/metadata/uid").asText()).isEqualTo(finding.id().toString());
            assertThat(e.at("/device/uid").asText()).isEqualTo("meter-7");
            assertThat(e.at("/unmapped/count").asText()).isEqualTo("5");
            assertThat(e.get("time").asLong()).isEqualTo(finding.time().toEpochMilli());
            await().atMost(Duration.ofSeconds(5)).until(() -> h.pipeline.status().get(0).lag() == 0);
        }
        assertThat(refusals).isEmpty();
    }

    @Test
    void receiver_rejectsTamperedReplayedAndStaleDeliveries() throws Exception {
        try (ExporterHarness h = new ExporterHarness(dir)) {
            h.pipeline.add(ExporterSpec.named("hook"), "webhook",
                    new WebhookExporter(url(), ExportTestSupport.clientTls(root), SECRET, Duration.ofSeconds(5), Clock.systemUTC()));
            h.log.append(SecurityEvent.builder(EventClass.AUTHORIZE_SESSION, "mqtt.publish.denied").device("d1").build());
            await().atMost(Duration.ofSeconds(20)).until(() -> !accepted.isEmpty());
        }
        Delivery original = accepted.get(0);
        HttpClient client = HttpClient.newBuilder().sslContext(ExportTestSupport.clientTls(root).context()).build();

        byte[] tampered = new String(original.body(), StandardCharsets.UTF_8).replace("\"d1\"", "\"d2\"").getBytes(StandardCharsets.UTF_8);
        assertThat(post(client, original.id() + "x", original.timestamp(), original.signature(), tampered)).isEqualTo(401);
        assertThat(refusals).containsExactly("bad signature");

        assertThat(post(client, original.id(), original.timestamp(), original.signature(), original.body())).isEqualTo(401);
        assertThat(refusals).last().isEqualTo("replayed delivery");

        String old = Long.toString(Instant.now().minusSeconds(600).getEpochSecond());
        String staleId = "0190a0a0-0000-7000-8000-000000000001";
        String staleSignature = WebhookExporter.sign(SECRET, old, staleId, original.body());
        assertThat(post(client, staleId, old, staleSignature, original.body())).isEqualTo(401);
        assertThat(refusals).last().isEqualTo("stale timestamp");

        String freshId = "0190a0a0-0000-7000-8000-000000000002";
        String now = Long.toString(Instant.now().getEpochSecond());
        assertThat(post(client, freshId, now, WebhookExporter.sign("another-secret-of-32-bytes-long!".getBytes(StandardCharsets.US_ASCII),
                now, freshId, original.body()), original.body())).isEqualTo(401);
        assertThat(refusals).last().isEqualTo("bad signature");
        // And a correctly signed fresh delivery is still accepted: the receiver is not simply refusing everything.
        assertThat(post(client, freshId, now, WebhookExporter.sign(SECRET, now, freshId, original.body()), original.body())).isEqualTo(204);
    }

    private int post(HttpClient client, String id, String ts, String sig, byte[] body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(url()).header("X-Holdfast-Delivery", id).header("X-Holdfast-Timestamp", ts)
                .header("X-Holdfast-Signature", sig).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return client.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

}
