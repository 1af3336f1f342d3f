package dev.holdfast.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.IssuanceRequest;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.SubjectAuthorization;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.NewDevice;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import dev.holdfast.server.config.ConfigLoader;
import dev.holdfast.server.config.HoldfastConfig;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The events area of a running server: the event log over REST with filters and paging, SOAR actions
 * with idempotency keys, an alert rule firing on a live stream, and a file exporter fed by all of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventsOverHttpsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    Path dir;
    HoldfastServer server;
    HttpClient http;
    String base;
    String token;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        dir = tmp;
        int port = TestServers.freePort();
        HoldfastConfig config = new ConfigLoader().parse("""
                server: {https: {port: %d, bindAddress: 127.0.0.1}, publicHostname: 127.0.0.1, shutdownGracePeriod: 2s}
                events:
                  exporters:
                    - name: archive
                      type: file
                      path: %s
                  alertRules:
                    - name: auth-failures
                      type: threshold
                      condition: event.class == 'AUTHENTICATION' && event.outcome == 'FAILURE'
                      groupBy: [device]
                      count: 3
                      window: 1m
                      severity: high
                """.formatted(port, dir.resolve("export/events.jsonl")), "test.yaml", Map.of());
        server = TestServers.start(dir.resolve("data"), config);
        base = "https://127.0.0.1:" + server.httpsPort();
        token = Files.readString(dir.resolve("data/bootstrap/admin.token")).strip();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("data/bootstrap/trust-bundle.pem"))) {
            int i = 0;
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) trust.setCertificateEntry("c" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        http = HttpClient.newBuilder().sslContext(ctx).build();
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
    }

    record Reply(int status, HttpResponse<String> response) {
        JsonNode json() throws Exception {
            return JSON.readTree(response.body());
        }
    }

    Reply call(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r);
    }

    @Test
    void events_areFilteredAndPagedBySequence() throws Exception {
        for (int i = 0; i < 5; i++) {
            server.events().append(SecurityEvent.builder(EventClass.NETWORK_ACTIVITY, "sensor.flow.denied").device("plc-" + i)
                    .severity(i < 2 ? Severity.LOW : Severity.HIGH).message("flow " + i).build());
        }
        Reply all = call("GET", "/api/v1/events?class=network_activity&limit=2", null);
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.json().path("items")).hasSize(2);
        long next = all.json().path("next").asLong();
        Reply page2 = call("GET", "/api/v1/events?class=network_activity&limit=10&after=" + next, null);
        assertThat(page2.json().path("items")).hasSize(3);
        assertThat(page2.json().path("items").get(0).path("sequence").asLong()).isGreaterThan(next);

        Reply high = call("GET", "/api/v1/events?class=network_activity&minSeverity=high", null);
        assertThat(high.json().path("items")).hasSize(3).allSatisfy(e -> assertThat(e.path("severity").asText()).isEqualTo("high"));
        Reply device = call("GET", "/api/v1/events?device=plc-4&format=ocsf", null);
        assertThat(device.json().path("items")).singleElement().satisfies(e -> {
            assertThat(e.path("class_uid").asInt()).isEqualTo(4001);
            assertThat(e.at("/device/uid").asText()).isEqualTo("plc-4");
        });
        assertThat(call("GET", "/api/v1/events?minSeverity=extreme", null).status()).isEqualTo(400);
        assertThat(call("GET", "/api/v1/events?limit=0", null).status()).isEqualTo(400);
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test
    void alertRule_firesOnLiveAuthenticationFailures_andTheFileExporterReceivesEverything() throws Exception {
        for (int i = 0; i < 3; i++) {
            server.events().append(SecurityEvent.builder(EventClass.AUTHENTICATION, "mqtt.connect.refused")
                    .outcome(SecurityEvent.Outcome.FAILURE).device("brute-1").build());
        }
        await().atMost(Duration.ofSeconds(20)).until(() ->
                call("GET", "/api/v1/events?class=detection_finding&device=brute-1", null).json().path("items").size() == 1);
        JsonNode finding = call("GET", "/api/v1/events?class=detection_finding&device=brute-1", null).json().path("items").get(0);
        assertThat(finding.path("activity").asText()).isEqualTo("alert.auth-failures");
        assertThat(finding.path("severity").asText()).isEqualTo("high");

        await().atMost(Duration.ofSeconds(20)).until(() -> call("GET", "/api/v1/events/exporters", null).json()
                .path("items").get(0).path("lag").asLong() == 0);
        JsonNode status = call("GET", "/api/v1/events/exporters", null).json().path("items").get(0);
        assertThat(status.path("name").asText()).isEqualTo("archive");
        assertThat(status.path("state").asText()).isEqualTo("healthy");
        List<String> lines = Files.readAllLines(dir.resolve("export/events.jsonl"));
        assertThat(lines).anySatisfy(l -> assertThat(JSON.readTree(l).path("activity_name").asText()).isEqualTo("alert.auth-failures"));
        assertThat(server.openApi().documentedRoutes()).contains("GET /api/v1/events", "POST /api/v1/actions/{action}");
        String metrics = call("GET", "/metrics", null).response().body();
        assertThat(metrics).contains("holdfast_events_exporter_lag{exporter=\"archive\",type=\"file\"}")
                .contains("holdfast_events_exporter_healthy{exporter=\"archive\",type=\"file\"} 1.0")
                .contains("holdfast_events_exporter_delivered_total{exporter=\"archive\",type=\"file\"}");
    }

    @Test
    void actions_areIdempotentRecordWhoAndWhy_andActThroughRegistryAndPki() throws Exception {
        var devices = server.registry().registry().devices();
        devices.create(NewDevice.builder(DeviceId.parse("meter-9")).build(), "test");
        devices.setLifecycle(DeviceId.parse("meter-9"), LifecycleState.PROVISIONED, Optional.empty(), "test");
        IssuedCertificate cert = issueDeviceCertificate("meter-9");

        String body = "{\"deviceId\":\"meter-9\",\"reason\":\"SOAR playbook 17: C2 beacon\"}";
        Reply first = call("POST", "/api/v1/actions/quarantine", body, "Idempotency-Key", "case-17-q");
        assertThat(first.status()).as(first.response().body()).isEqualTo(200);
        assertThat(first.json().path("result").path("lifecycle").asText()).isEqualTo("quarantined");
        assertThat(first.json().path("reason").asText()).isEqualTo("SOAR playbook 17: C2 beacon");
        assertThat(first.json().path("requestedBy").asText()).isNotBlank();
        Reply again = call("POST", "/api/v1/actions/quarantine", body, "Idempotency-Key", "case-17-q");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.response().headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(again.response().body()).isEqualTo(first.response().body());
        assertThat(call("POST", "/api/v1/actions/disable", body, "Idempotency-Key", "case-17-q").status()).isEqualTo(422);
        assertThat(call("POST", "/api/v1/actions/quarantine", body).status()).isEqualTo(400);
        assertThat(call("POST", "/api/v1/actions/explode", body, "Idempotency-Key", "k1").status()).isEqualTo(404);
        assertThat(call("POST", "/api/v1/actions/disable", "{\"deviceId\":\"nobody\",\"reason\":\"x\"}", "Idempotency-Key", "k2").status()).isEqualTo(404);
        // A refused request is not kept: the same key works once the device exists.
        devices.create(NewDevice.builder(DeviceId.parse("nobody")).build(), "test");
        assertThat(call("POST", "/api/v1/actions/disable", "{\"deviceId\":\"nobody\",\"reason\":\"x\"}", "Idempotency-Key", "k2").status()).isEqualTo(200);

        Reply disable = call("POST", "/api/v1/actions/disable", body, "Idempotency-Key", "case-17-d");
        assertThat(disable.json().at("/result/status").asText()).isEqualTo("disabled");
        Reply revoke = call("POST", "/api/v1/actions/revoke-certificates", body, "Idempotency-Key", "case-17-r");
        assertThat(revoke.status()).as(revoke.response().body()).isEqualTo(200);
        assertThat(revoke.json().at("/result/revoked")).extracting(JsonNode::asText).containsExactly(cert.serialHex());
        assertThat(server.pki().ca().isRevoked(cert.serial())).isTrue();
        Reply reeval = call("POST", "/api/v1/actions/re-evaluate", body, "Idempotency-Key", "case-17-e");
        assertThat(reeval.json().at("/result/requested").asBoolean()).isTrue();

        JsonNode soar = call("GET", "/api/v1/events?activity=soar.&device=meter-9", null).json().path("items");
        assertThat(soar).extracting(e -> e.path("activity").asText())
                .containsExactly("soar.quarantine", "soar.disable", "soar.revoke-certificates", "soar.re-evaluate");
        assertThat(soar).allSatisfy(e -> assertThat(e.at("/details/reason").asText()).isEqualTo("SOAR playbook 17: C2 beacon"));
        assertThat(call("GET", "/api/v1/events?activity=posture.reevaluation.requested&device=meter-9", null).json().path("items")).hasSize(1);
        assertThat(call("GET", "/api/v1/events?activity=certificate.revoked", null).json().path("items")).isNotEmpty();
    }

    private IssuedCertificate issueDeviceCertificate(String device) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + device), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        return server.pki().ca().issue(new IssuanceRequest(Bytes.wrapOwned(csr), Profile.DEVICE, SubjectAuthorization.device(device),
                Optional.empty(), "test"));
    }
}
