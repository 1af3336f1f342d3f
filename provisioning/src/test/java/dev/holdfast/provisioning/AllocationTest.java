package dev.holdfast.provisioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.provisioning.internal.Allocator;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.testing.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AllocationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<LinkedHub> HUBS = List.of(new LinkedHub("hub-a", "hub-a.example.test", 1, "eu", true),
            new LinkedHub("hub-b", "hub-b.example.test", 2, "us", true), new LinkedHub("hub-c", "hub-c.example.test", 3, "ap", true));
    private HttpsServer webhook;

    @AfterEach
    void stopWebhook() {
        if (webhook != null) webhook.stop(0);
    }

    private static Enrollment.Group group(AllocationPolicy p) {
        return new Enrollment.Group("g", new EnrollmentAttestation.X509Ca("acme"), new EnrollmentSettings(true, null,
                JsonDocument.parse("{\"region\":\"us\"}"), null, false, p, null, null, null, null), Instant.now(), Instant.now(), 1);
    }

    private static Allocator.Context ctx(String id, AllocationPolicy p, String payload) {
        try {
            return new Allocator.Context(id, group(p), (ObjectNode) JSON.readTree(payload), "CN=" + id, "CN=Acme", Optional.empty(), Optional.empty());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void hashed_tenThousandRegistrationsLandWithinThreePercentOfTheWeights() {
        Allocator a = new Allocator("", null);
        AllocationPolicy p = new AllocationPolicy.Hashed();
        Map<String, Integer> counts = new HashMap<>();
        Map<String, String> first = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            String id = "device-" + i;
            String hub = a.allocate(ctx(id, p, "{}"), p, HUBS).hub().name();
            counts.merge(hub, 1, Integer::sum);
            first.put(id, hub);
        }
        assertThat(counts.get("hub-a") / 10_000.0).isCloseTo(1 / 6.0, within(0.03));
        assertThat(counts.get("hub-b") / 10_000.0).isCloseTo(2 / 6.0, within(0.03));
        assertThat(counts.get("hub-c") / 10_000.0).isCloseTo(3 / 6.0, within(0.03));

        // Another allocator (another node, or after a restart), hubs listed in another order: same answers.
        Allocator other = new Allocator("", null);
        List<LinkedHub> reordered = List.of(HUBS.get(2), HUBS.get(0), HUBS.get(1));
        for (int i = 0; i < 10_000; i++) {
            String id = "device-" + i;
            assertThat(other.allocate(ctx(id, p, "{}"), p, reordered).hub().name()).isEqualTo(first.get(id));
        }
        // Removing a hub moves only that hub's devices.
        List<LinkedHub> withoutA = List.of(HUBS.get(1), HUBS.get(2));
        for (int i = 0; i < 10_000; i++) {
            String id = "device-" + i;
            if (!first.get(id).equals("hub-a")) assertThat(a.allocate(ctx(id, p, "{}"), p, withoutA).hub().name()).isEqualTo(first.get(id));
        }
    }

    @Test
    void static_alwaysPicksItsHub_andRefusesWhenItIsNotAvailable() {
        Allocator a = new Allocator("", null);
        AllocationPolicy p = new AllocationPolicy.Static("hub-b");
        for (int i = 0; i < 100; i++) assertThat(a.allocate(ctx("d" + i, p, "{}"), p, HUBS).hub().name()).isEqualTo("hub-b");
        assertThatThrownBy(() -> a.allocate(ctx("d", p, "{}"), p, List.of(HUBS.get(0))))
                .isInstanceOf(ProvisioningRefusedException.class).hasMessageContaining("static hub 'hub-b'");
    }

    @Test
    void lowestLatency_prefersThePayloadRegionThenTheEnrollmentTagThenOwnRegion() {
        Allocator a = new Allocator("ap", null);
        AllocationPolicy p = new AllocationPolicy.LowestLatency();
        assertThat(a.allocate(ctx("d1", p, "{\"region\":\"eu\"}"), p, HUBS).hub().name()).isEqualTo("hub-a");
        assertThat(a.allocate(ctx("d1", p, "{}"), p, HUBS).hub().name()).isEqualTo("hub-b"); // enrollment tag region=us
        assertThat(a.allocate(ctx("d1", p, "{\"region\":\"mars\"}"), p, HUBS).hub().name()).isEqualTo("hub-c"); // own region ap
    }

    @Test
    void cel_choosesByTheRegistrationAndRefusesUnknownHubsAndBadExpressions() {
        Allocator a = new Allocator("", null);
        AllocationPolicy p = new AllocationPolicy.Cel(
                "registration.payload.kind == 'meter' ? 'hub-a' : (registration.registrationId.startsWith('pump-') ? 'hub-c' : 'nowhere')");
        assertThat(a.allocate(ctx("x1", p, "{\"kind\":\"meter\"}"), p, HUBS).hub().name()).isEqualTo("hub-a");
        assertThat(a.allocate(ctx("pump-7", p, "{\"kind\":\"pump\"}"), p, HUBS).hub().name()).isEqualTo("hub-c");
        assertThatThrownBy(() -> a.allocate(ctx("x2", p, "{\"kind\":\"other\"}"), p, HUBS)).hasMessageContaining("chose 'nowhere'");
        AllocationPolicy broken = new AllocationPolicy.Cel("registration.payload.kind ==");
        assertThatThrownBy(() -> a.validate(broken)).isInstanceOf(ProvisioningRefusedException.class).hasMessageContaining("does not compile");
        AllocationPolicy hubsExpr = new AllocationPolicy.Cel("hubs.filter(h, h.region == 'us')[0].name");
        assertThat(a.allocate(ctx("x3", hubsExpr, "{}"), hubsExpr, HUBS).hub().name()).isEqualTo("hub-b");
    }

    private URI startWebhook(TestCertificates.Root root, AtomicReference<JsonNode> seen, long delayMillis, String answer) throws Exception {
        TestCertificates.Issued cert = root.issueServer("127.0.0.1");
        webhook = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.setHttpsConfigurator(new HttpsConfigurator(TlsPolicy.sslContext(cert.key(), cert.chainArray(), List.of())));
        webhook.createContext("/allocate", ex -> {
            try (ex) {
                seen.set(JSON.readTree(ex.getRequestBody()));
                if (delayMillis > 0) Thread.sleep(delayMillis);
                byte[] b = answer.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        webhook.start();
        return URI.create("https://127.0.0.1:" + webhook.getAddress().getPort() + "/allocate");
    }

    @Test
    void webhook_overRealHttps_choosesTheHubAndInitialTwin() throws Exception {
        TestCertificates.Root root = TestCertificates.newRoot("Webhook Test Root");
        AtomicReference<JsonNode> seen = new AtomicReference<>();
        URI url = startWebhook(root, seen, 0, "{\"iotHubHostName\":\"hub-b.example.test\",\"initialTwin\":{\"tags\":{\"team\":\"blue\"},"
                + "\"properties\":{\"desired\":{\"fw\":\"2.1\"}}},\"payload\":{\"hello\":\"device\"}}");
        Allocator a = new Allocator("", TlsPolicy.clientContext(List.of(root.certificate())));
        AllocationPolicy p = new AllocationPolicy.Webhook(url, Duration.ofSeconds(5), AllocationPolicy.FailurePolicy.REFUSE);
        Allocator.Decision d = a.allocate(ctx("meter-9", p, "{\"kind\":\"meter\"}"), p, HUBS);
        assertThat(d.hub().name()).isEqualTo("hub-b");
        assertThat(d.desired().orElseThrow().get("fw").asText()).isEqualTo("2.1");
        assertThat(d.tags().orElseThrow().get("team").asText()).isEqualTo("blue");
        assertThat(d.payload().orElseThrow().get("hello").asText()).isEqualTo("device");
        assertThat(seen.get().path("deviceRuntimeContext").path("registrationId").asText()).isEqualTo("meter-9");
        assertThat(seen.get().path("deviceRuntimeContext").path("payload").path("kind").asText()).isEqualTo("meter");
        List<String> linked = new ArrayList<>();
        seen.get().path("linkedHubs").forEach(h -> linked.add(h.asText()));
        assertThat(linked).containsExactly("hub-a.example.test", "hub-b.example.test", "hub-c.example.test");
    }

    @Test
    void webhook_timeoutFollowsTheFailurePolicy() throws Exception {
        TestCertificates.Root root = TestCertificates.newRoot("Webhook Test Root");
        URI url = startWebhook(root, new AtomicReference<>(), 1500, "{\"iotHubHostName\":\"hub-a.example.test\"}");
        Allocator a = new Allocator("", TlsPolicy.clientContext(List.of(root.certificate())));
        AllocationPolicy refuse = new AllocationPolicy.Webhook(url, Duration.ofMillis(300), AllocationPolicy.FailurePolicy.REFUSE);
        assertThatThrownBy(() -> a.allocate(ctx("m1", refuse, "{}"), refuse, HUBS)).isInstanceOf(ProvisioningRefusedException.class)
                .hasMessageContaining("no answer within PT0.3S")
                .satisfies(e -> assertThat(((ProvisioningRefusedException) e).refusal().httpStatus()).isEqualTo(503));
        AllocationPolicy fallback = new AllocationPolicy.Webhook(url, Duration.ofMillis(300), AllocationPolicy.FailurePolicy.HASHED);
        AllocationPolicy hashed = new AllocationPolicy.Hashed();
        assertThat(a.allocate(ctx("m1", fallback, "{}"), fallback, HUBS).hub()).isEqualTo(a.allocate(ctx("m1", hashed, "{}"), hashed, HUBS).hub());
    }

    @Test
    void webhook_withAnUntrustedCertificate_fails() throws Exception {
        URI url = startWebhook(TestCertificates.newRoot("Other Root"), new AtomicReference<>(), 0, "{\"iotHubHostName\":\"hub-a.example.test\"}");
        Allocator a = new Allocator("", TlsPolicy.clientContext(List.of(TestCertificates.newRoot("Trusted Root").certificate())));
        AllocationPolicy p = new AllocationPolicy.Webhook(url, Duration.ofSeconds(5), AllocationPolicy.FailurePolicy.REFUSE);
        assertThatThrownBy(() -> a.allocate(ctx("m1", p, "{}"), p, HUBS)).hasMessageContaining("cannot reach it");
    }
}
