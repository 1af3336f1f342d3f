package dev.holdfast.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.server.cli.AdminClient;
import dev.holdfast.server.cli.CliFailure;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import dev.holdfast.testing.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLParameters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The HTTPS listener on loopback, driven by the real {@code curl} and {@code openssl s_client}: TLS
 * policy at the handshake, bearer authentication, problem+json errors, health, readiness and metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiServerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CIPHER = Pattern.compile("Cipher is (\\S+)");

    private Path dir;
    private Database db;
    private ApiTokens tokens;
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicBoolean dependencyUp = new AtomicBoolean(true);
    private TestCertificates.Root serverRoot;
    private TestCertificates.Root clientRoot;
    private ApiServer server;
    private String token;
    private String tokenId;
    private Path caFile;
    private String base;

    @BeforeAll
    void start(@TempDir Path tempDir) {
        dir = tempDir;
        db = Database.open(StoreConfig.embedded(dir.resolve("db")));
        db.migrate("server");
        tokens = new ApiTokens(db, events::add, Clock.systemUTC());
        IssuedToken issued = tokens.create("it", "system", Optional.empty());
        token = issued.plaintext();
        tokenId = issued.token().id();

        serverRoot = TestCertificates.newRoot("Holdfast IT server root");
        clientRoot = TestCertificates.newRoot("Holdfast IT client root");
        caFile = TestCertificates.writePem(dir.resolve("ca.pem"), serverRoot.certificate());
        server = newServer(serverRoot.issueServer("localhost", "127.0.0.1")).start();
        base = "https://127.0.0.1:" + server.port();
    }

    private ApiServer newServer(TestCertificates.Issued cert) {
        RouteModule testRoutes = routes -> {
            routes.get("/api/v1/whoami", ctx -> ctx.result(BearerAuthentication.actor(ctx)));
            routes.get("/api/v1/refused", ctx -> {
                throw Problem.conflict("already-done", "widget 7 was already frobbed").exception(new IllegalStateException("internal detail"));
            });
            routes.get("/boom", ctx -> {
                throw new IllegalStateException("secret internal state");
            });
            routes.get("/slow", ctx -> {
                Thread.sleep(1500);
                ctx.result("done");
            });
            routes.get("/client-certificate", ctx -> ctx.result(ApiServer.clientCertificates(ctx).stream()
                    .map(c -> c.getSubjectX500Principal().getName()).findFirst().orElse("none")));
        };
        return ApiServer.builder(ServerIdentity.of(cert.key(), cert.chain(), List.of(clientRoot.certificate())), tokens)
                .bind("127.0.0.1", 0)
                .shutdownGrace(Duration.ofSeconds(5))
                .events(events::add)
                .readiness(ReadinessCheck.of("database", db::isReachable), ReadinessCheck.of("dependency", dependencyUp::get))
                .routes(testRoutes, new ApiTokenRoutes(tokens))
                .build();
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
        if (db != null) db.close();
    }

    // curl ----------------------------------------------------------------------------------------

    private ProcessRun curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ExternalTool.require("curl").toString(), "-sS", "-i", "--max-time", "20",
                "--cacert", caFile.toString()));
        cmd.addAll(List.of(args));
        return ProcessRun.run(dir, cmd, Map.of(), null, 30);
    }

    private static int status(ProcessRun r) {
        Matcher m = Pattern.compile("^HTTP/1\\.1 (\\d{3})", Pattern.MULTILINE).matcher(r.stdout());
        assertThat(m.find()).as("an HTTP status line in %s", r.output()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static String header(ProcessRun r, String name) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + ": ([^\\r\\n]*)", Pattern.MULTILINE | Pattern.CASE_INSENSITIVE).matcher(r.stdout());
        return m.find() ? m.group(1) : null;
    }

    private static JsonNode body(ProcessRun r) throws Exception {
        String out = r.stdout();
        return JSON.readTree(out.substring(out.indexOf("\r\n\r\n") + 4));
    }

    private static void assertProblem(ProcessRun r, int status, String slug) throws Exception {
        assertThat(status(r)).as(r.output()).isEqualTo(status);
        assertThat(header(r, "Content-Type")).isEqualTo("application/problem+json");
        JsonNode p = body(r);
        assertThat(p.path("type").asText()).isEqualTo(Problem.TYPE_BASE + slug);
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("title").asText()).isNotBlank();
        assertThat(p.has("detail")).isTrue();
        assertThat(p.has("instance")).isTrue();
    }

    @Test
    void healthz_answersOkOverTlsVerifiedByCurl() {
        ProcessRun r = curl(base + "/healthz").assertSuccess("curl /healthz");
        assertThat(status(r)).isEqualTo(200);
        assertThat(r.stdout()).endsWith("ok");
    }

    @Test
    void apiWithoutToken_is401ProblemWithBearerChallenge() throws Exception {
        ProcessRun r = curl(base + "/api/v1/anything").assertSuccess("curl");
        assertProblem(r, 401, "token-required");
        assertThat(header(r, "WWW-Authenticate")).startsWith("Bearer");
        assertProblem(curl("-H", "Authorization: Basic dXNlcjpwYXNz", base + "/api/v1/anything"), 401, "token-required");
    }

    @Test
    void apiSpelledDifferently_neverReachesARouteWithoutToken() {
        for (String path : List.of("/api/v1/tokens", "/api/v1/tokens/", "//api/v1/tokens", "/api/v1//tokens", "/api/v1/./tokens",
                "/api/v1/x/../tokens", "/api/v1/tokens;x=y", "/api/v1/%74okens", "/api/v1%2ftokens", "/API/v1/tokens", "/api/v1/tokens?x=1")) {
            ProcessRun r = curl("--path-as-is", base + path);
            assertThat(status(r)).as(path + ": " + r.output()).isGreaterThanOrEqualTo(400);
            assertThat(r.stdout()).as(path).doesNotContain("bootstrap").doesNotContain(tokenId);
        }
    }

    @Test
    void apiWithUnknownToken_is401InvalidTokenAndEmitsEvent() throws Exception {
        String forged = "hf_" + tokenId + "_" + "0".repeat(64);
        ProcessRun r = curl("-H", "Authorization: Bearer " + forged, base + "/api/v1/anything");
        assertProblem(r, 401, "token-invalid");
        assertThat(header(r, "WWW-Authenticate")).contains("error=\"invalid_token\"");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.activity()).isEqualTo("api_token.rejected");
            assertThat(e.outcome()).isEqualTo(SecurityEvent.Outcome.FAILURE);
            assertThat(e.details()).containsEntry("token_id", tokenId).doesNotContainValue(forged);
        });
    }

    @Test
    void apiWithGoodToken_passesAuthentication() throws Exception {
        ProcessRun who = curl("-H", "Authorization: Bearer " + token, base + "/api/v1/whoami");
        assertThat(status(who)).as(who.output()).isEqualTo(200);
        assertThat(who.stdout()).endsWith("token:" + tokenId);
        // Past authentication, an unknown route is an ordinary 404 problem.
        assertProblem(curl("-H", "Authorization: Bearer " + token, base + "/api/v1/anything"), 404, "not-found");
    }

    @Test
    void refusal_isRenderedAsItsProblemWithoutTheInternalCause() throws Exception {
        ProcessRun r = curl("-H", "Authorization: Bearer " + token, base + "/api/v1/refused");
        assertProblem(r, 409, "already-done");
        assertThat(body(r).path("detail").asText()).isEqualTo("widget 7 was already frobbed");
        assertThat(r.stdout()).doesNotContain("internal detail");
    }

    @Test
    void unexpectedException_is500WithErrorIdAndNoStackTrace() throws Exception {
        ProcessRun r = curl(base + "/boom");
        assertProblem(r, 500, "internal-error");
        assertThat(r.stdout()).doesNotContain("secret internal state", "IllegalStateException", "at dev.holdfast");
        assertThat(body(r).path("detail").asText()).containsPattern("error [0-9a-f-]{36}");
    }

    @Test
    void unknownRouteAndWrongMethod_are404And405Problems() throws Exception {
        assertProblem(curl(base + "/no/such/thing"), 404, "not-found");
        ProcessRun r = curl("-X", "DELETE", base + "/healthz");
        assertProblem(r, 405, "method-not-allowed");
        assertThat(header(r, "Allow")).contains("GET");
    }

    @Test
    void errorsJettyRaisesBeforeJavalin_areProblemsToo() throws Exception {
        ProcessRun r = curl("-H", "X-Padding: " + "a".repeat(20_000), base + "/healthz");
        assertThat(status(r)).isEqualTo(431);
        assertThat(header(r, "Content-Type")).isEqualTo("application/problem+json");
        assertThat(body(r).path("status").asInt()).isEqualTo(431);
    }

    @Test
    void readyz_reportsTheFailingCheck() throws Exception {
        ProcessRun ok = curl(base + "/readyz");
        assertThat(status(ok)).isEqualTo(200);
        assertThat(body(ok).path("checks").path("dependency").asText()).isEqualTo("ok");
        dependencyUp.set(false);
        try {
            ProcessRun down = curl(base + "/readyz");
            assertProblem(down, 503, "not-ready");
            assertThat(body(down).path("detail").asText()).contains("dependency");
            assertThat(body(down).path("checks").path("database").asText()).isEqualTo("ok");
            assertThat(body(down).path("checks").path("dependency").asText()).isEqualTo("not ready");
        } finally {
            dependencyUp.set(true);
        }
    }

    @Test
    void metrics_exposeJvmHttpAndTlsMetricsInPrometheusText() {
        curl(base + "/healthz").assertSuccess("curl /healthz");
        ProcessRun r = curl(base + "/metrics").assertSuccess("curl /metrics");
        assertThat(status(r)).isEqualTo(200);
        assertThat(header(r, "Content-Type")).startsWith("text/plain; version=0.0.4");
        assertThat(r.stdout()).contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_uptime_seconds",
                "http_server_requests_seconds_count{method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/healthz\"}",
                "holdfast_tls_handshakes_total{cipher=\"TLS_AES_");
    }

    // TLS policy with openssl ------------------------------------------------------------------------

    private ProcessRun sClient(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ExternalTool.require("openssl").toString(), "s_client",
                "-connect", "127.0.0.1:" + server.port(), "-CAfile", caFile.toString(), "-verify_return_error"));
        cmd.addAll(List.of(args));
        return ProcessRun.run(dir, cmd, Map.of(), new byte[0], 30);
    }

    @Test
    void tls11Client_isRefusedByTheServer() {
        // @SECLEVEL=0 makes openssl really offer TLS 1.1, so the refusal is the server's.
        ProcessRun r = sClient("-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("alert protocol version");
        ProcessRun plain = sClient("-tls1_1");
        assertThat(plain.exitCode()).as(plain.output()).isNotZero();
    }

    @Test
    void tls12ClientOfferingOnlyCbcSuites_isRefusedByTheServer() {
        ProcessRun r = sClient("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA");
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("alert handshake failure");
    }

    @Test
    void tls13ClientOfferingOnlyFiniteFieldGroups_isRefused() {
        ProcessRun r = sClient("-tls1_3", "-groups", "ffdhe2048");
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(r.output()).doesNotContainPattern("Cipher is TLS_");
    }

    @Test
    void tls12And13Clients_negotiateAnAeadSuite() {
        for (String version : List.of("-tls1_2", "-tls1_3")) {
            ProcessRun r = sClient(version);
            assertThat(r.exitCode()).as(version + ": " + r.output()).isZero();
            Matcher m = CIPHER.matcher(r.stdout());
            assertThat(m.find()).as(r.output()).isTrue();
            assertThat(m.group(1)).as(version).containsAnyOf("GCM", "CHACHA20");
            assertThat(r.stdout()).contains("Verify return code: 0 (ok)");
        }
    }

    @Test
    void clientCertificate_isOptionalButVerifiedWhenPresented() throws Exception {
        TestCertificates.Issued device = clientRoot.issueClient("device-1");
        Path cert = TestCertificates.writePem(dir.resolve("device.pem"), device.certificate());
        Path key = TestCertificates.writeKeyPem(dir.resolve("device.key"), device.key());
        ProcessRun with = curl("--cert", cert.toString(), "--key", key.toString(), base + "/client-certificate");
        assertThat(status(with)).as(with.output()).isEqualTo(200);
        assertThat(with.stdout()).endsWith("CN=device-1");
        assertThat(curl(base + "/client-certificate").stdout()).endsWith("none");

        TestCertificates.Issued stranger = TestCertificates.newRoot("Stranger root").issueClient("intruder");
        Path sCert = TestCertificates.writePem(dir.resolve("stranger.pem"), stranger.certificate());
        Path sKey = TestCertificates.writeKeyPem(dir.resolve("stranger.key"), stranger.key());
        ProcessRun refused = curl("--cert", sCert.toString(), "--key", sKey.toString(), base + "/client-certificate");
        assertThat(refused.exitCode()).as(refused.output()).isNotZero();
    }

    // Java clients ---------------------------------------------------------------------------------

    @Test
    void adminClient_readsTheApiAndRendersRefusalsAsOneLine() {
        AdminClient client = new AdminClient(URI.create("https://localhost:" + server.port()), token,
                TlsPolicy.clientContext(List.of(serverRoot.certificate())));
        JsonNode list = client.get("/api/v1/tokens");
        assertThat(list.isArray()).isTrue();
        assertThat(list.toString()).contains(tokenId).doesNotContain(token);

        JsonNode created = client.post("/api/v1/tokens", Map.of("name", "rotated", "validity", "P1D"));
        String secret = created.path("secret").asText();
        assertThat(tokens.verify(secret)).isPresent();
        client.delete("/api/v1/tokens/" + created.path("token").path("id").asText());
        assertThat(tokens.verify(secret)).isEmpty();

        assertThatThrownBy(() -> client.delete("/api/v1/tokens/0000000000000000"))
                .isInstanceOfSatisfying(CliFailure.class, f -> {
                    assertThat(f.exitCode()).isEqualTo(CliFailure.REFUSED);
                    assertThat(f.getMessage()).isEqualTo("Not found (404): no active API token with id '0000000000000000'").doesNotContain("\n");
                });
        AdminClient wrongTrust = new AdminClient(URI.create("https://localhost:" + server.port()), token,
                TlsPolicy.clientContext(List.of(clientRoot.certificate())));
        assertThatThrownBy(() -> wrongTrust.get("/api/v1/tokens")).isInstanceOf(CliFailure.class).hasMessageContaining("TLS handshake");
    }

    private static HttpClient javaClient(TestCertificates.Root trust) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(TlsPolicy.clientContext(List.of(trust.certificate())))
                .sslParameters(TlsPolicy.apply(new SSLParameters())).build();
    }

    @Test
    void updateIdentity_presentsTheNewCertificateToNewConnections() throws Exception {
        TestCertificates.Root oldRoot = TestCertificates.newRoot("Rotating root 1");
        TestCertificates.Root newRoot = TestCertificates.newRoot("Rotating root 2");
        try (ApiServer s = newServer(oldRoot.issueServer("localhost", "127.0.0.1")).start()) {
            URI healthz = URI.create("https://localhost:" + s.port() + "/healthz");
            assertThat(javaClient(oldRoot).send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("ok");
            TestCertificates.Issued next = newRoot.issueServer("localhost", "127.0.0.1");
            s.updateIdentity(ServerIdentity.of(next.key(), next.chain(), List.of()));
            assertThat(javaClient(newRoot).send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("ok");
            assertThatThrownBy(() -> javaClient(oldRoot).send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
    }

    @Test
    void close_letsRequestsInFlightFinishAndTurnsReadinessOff() throws Exception {
        ApiServer s = newServer(serverRoot.issueServer("localhost", "127.0.0.1")).start();
        URI slow = URI.create("https://localhost:" + s.port() + "/slow");
        HttpClient client = javaClient(serverRoot);
        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(slow).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(500); // the request is being handled
        long start = System.nanoTime();
        s.close();
        HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("done");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(slow).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.io.IOException.class);
    }
}
