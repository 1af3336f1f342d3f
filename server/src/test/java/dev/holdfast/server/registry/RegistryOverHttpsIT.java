package dev.holdfast.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.events.EventQuery;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry's REST API as a client sees it, through {@code curl} over real HTTPS: status codes,
 * ETag and If-Match, problem+json for every refusal, and requests that try to inject SQL through ids
 * and JSON changing nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryOverHttpsIT {
    static final ObjectMapper JSON = new ObjectMapper();
    Path dir;
    HoldfastServer server;
    String base;
    String token;
    String curl;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        dir = tmp;
        curl = ExternalTool.require("curl").toString();
        server = TestServers.start(dir.resolve("data"));
        base = "https://127.0.0.1:" + server.httpsPort();
        token = Files.readString(dir.resolve("data/bootstrap/admin.token")).strip();
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
    }

    /** Status, headers (lower-case names) and body of one exchange. */
    record Reply(int status, Map<String, String> headers, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }

        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    Reply call(String method, String path, String body, String... headers) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(curl, "-sS", "--max-time", "30", "--cacert", dir.resolve("data/bootstrap/trust-bundle.pem").toString(),
                "-X", method, "-D", dir.resolve("headers.txt").toString(), "-o", dir.resolve("body.txt").toString(), "-w", "%{http_code}",
                "-H", "Authorization: Bearer " + token));
        for (String h : headers) cmd.addAll(List.of("-H", h));
        if (body != null) {
            Files.writeString(dir.resolve("request.txt"), body);
            cmd.addAll(List.of("--data-binary", "@" + dir.resolve("request.txt")));
            if (List.of(headers).stream().noneMatch(h -> h.toLowerCase().startsWith("content-type"))) cmd.addAll(List.of("-H", "Content-Type: application/json"));
        }
        cmd.add(base + path);
        ProcessRun r = ProcessRun.run(dir, cmd).assertSuccess("curl " + method + " " + path);
        Map<String, String> h = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve("headers.txt"))) {
            int colon = line.indexOf(':');
            if (colon > 0) h.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
        }
        return new Reply(Integer.parseInt(r.stdout().strip()), h, Files.readString(dir.resolve("body.txt")));
    }

    void assertProblem(Reply r, int status, String slug) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.path("type").asText()).isEqualTo("https://holdfast.dev/problems/" + slug);
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("detail").asText()).isNotBlank();
    }

    long devices() {
        return server.database().withConnection(c -> {
            try (var ps = c.prepareStatement("SELECT COUNT(*) FROM device"); var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void twinPatch_withIfMatch_andA412WithTheCurrentEtagWhenStale() throws Exception {
        Reply created = call("POST", "/api/v1/devices", "{\"deviceId\":\"twin-1\",\"properties\":{\"desired\":{\"interval\":60}}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.header("location")).isEqualTo("/api/v1/devices/twin-1");
        assertThat(created.header("etag")).isEqualTo("\"device-1\"");

        Reply twin = call("GET", "/api/v1/devices/twin-1/twin", null);
        assertThat(twin.status()).isEqualTo(200);
        String etag = twin.header("etag");
        assertThat(etag).isEqualTo("\"desired-1\"");
        assertThat(twin.json().at("/properties/desired/interval").asInt()).isEqualTo(60);
        assertThat(twin.json().at("/properties/desired/$version").asInt()).isEqualTo(1);
        assertThat(twin.json().at("/properties/desired/$metadata/interval/$lastUpdated").asText()).isNotEmpty();

        Reply patched = call("PATCH", "/api/v1/devices/twin-1/twin", "{\"properties\":{\"desired\":{\"interval\":30,\"mode\":\"eco\"}}}", "If-Match: " + etag);
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.header("etag")).isEqualTo("\"desired-2\"");

        Reply stale = call("PATCH", "/api/v1/devices/twin-1/twin", "{\"properties\":{\"desired\":{\"interval\":10}}}", "If-Match: " + etag);
        assertProblem(stale, 412, "etag-mismatch");
        assertThat(stale.header("etag")).isEqualTo("\"desired-2\"");
        assertThat(stale.json().path("detail").asText()).contains("\"desired-2\"");
        assertThat(stale.json().path("currentEtag").asText()).isEqualTo("\"desired-2\"");
        assertThat(call("GET", "/api/v1/devices/twin-1/twin", null).json().at("/properties/desired/interval").asInt()).isEqualTo(30);

        assertProblem(call("PATCH", "/api/v1/devices/twin-1/twin", "{\"properties\":{\"desired\":{}}}", "If-Match: tags-1"), 400, "invalid-if-match");
        assertProblem(call("PATCH", "/api/v1/devices/twin-1/twin", "{\"properties\":{\"reported\":{\"x\":1}}}"), 400, "invalid-field");
    }

    @Test
    void tags_putAndPatch_withTheirOwnEtag() throws Exception {
        call("POST", "/api/v1/devices", "{\"deviceId\":\"tags-1\",\"tags\":{\"site\":\"plant-1\"}}");
        Reply t = call("GET", "/api/v1/devices/tags-1/tags", null);
        assertThat(t.json()).isEqualTo(JSON.readTree("{\"site\":\"plant-1\"}"));
        assertThat(t.header("etag")).isEqualTo("\"tags-1\"");
        Reply merged = call("PATCH", "/api/v1/devices/tags-1/tags", "{\"zone\":\"z7\"}", "If-Match: \"tags-1\"", "Content-Type: application/merge-patch+json");
        assertThat(merged.status()).as(merged.body()).isEqualTo(200);
        assertThat(merged.json()).isEqualTo(JSON.readTree("{\"site\":\"plant-1\",\"zone\":\"z7\"}"));
        assertProblem(call("PUT", "/api/v1/devices/tags-1/tags", "{}", "If-Match: \"tags-1\""), 412, "etag-mismatch");
        Reply replaced = call("PUT", "/api/v1/devices/tags-1/tags", "{\"site\":\"plant-2\"}", "If-Match: \"tags-2\"");
        assertThat(replaced.header("etag")).isEqualTo("\"tags-3\"");
        Reply big = call("PUT", "/api/v1/devices/tags-1/tags", "{\"x\":\"" + "y".repeat(9000) + "\"}");
        assertProblem(big, 400, "tags-too-large");
        assertThat(big.json().path("detail").asText()).isEqualTo("tags: 9008 bytes exceeds the limit of 8192 bytes");
    }

    @Test
    void refusals_areProblemJson() throws Exception {
        assertProblem(call("POST", "/api/v1/devices", "{\"deviceId\": \"x\","), 400, "malformed-body");
        assertProblem(call("POST", "/api/v1/devices", "[1]"), 400, "malformed-body");
        assertProblem(call("POST", "/api/v1/devices", "{\"deviceId\":\"x\",\"colour\":\"red\"}"), 400, "invalid-field");
        assertProblem(call("GET", "/api/v1/devices/no-such-device", null), 404, "device-not-found");
        call("POST", "/api/v1/devices", "{\"deviceId\":\"life-1\"}");
        Reply bad = call("POST", "/api/v1/devices/life-1/lifecycle", "{\"state\":\"quarantined\"}");
        assertProblem(bad, 409, "invalid-transition");
        assertThat(bad.json().path("detail").asText()).contains("from registered only to provisioned, decommissioned");
        assertProblem(call("POST", "/api/v1/devices", "{\"deviceId\":\"life-1\"}"), 409, "device-exists");
        assertProblem(call("POST", "/api/v1/devices/life-1/status", "{\"status\":\"maybe\"}"), 400, "invalid-status");
        assertProblem(call("GET", "/api/v1/devices?limit=0", null), 400, "invalid-parameter");
        assertProblem(call("POST", "/api/v1/jobs/import", "x", "Content-Type: text/csv"), 415, "unsupported-media-type");
        assertProblem(call("POST", "/api/v1/jobs/import", "{\"path\":\"../../bootstrap/admin.token\"}"), 400, "import-path-outside");
        assertProblem(call("GET", "/api/v1/jobs/nope", null), 404, "job-not-found");

        Reply lifecycle = call("POST", "/api/v1/devices/life-1/lifecycle", "{\"state\":\"provisioned\",\"reason\":\"enrolled\"}");
        assertThat(lifecycle.json().path("lifecycle").asText()).isEqualTo("provisioned");
        Reply noToken = new Reply(0, Map.of(), "");
        String saved = token;
        try {
            token = "hf_0000000000000000_nope";
            noToken = call("GET", "/api/v1/devices", null);
        } finally {
            token = saved;
        }
        assertProblem(noToken, 401, "token-invalid");
        List<String> activities = server.events().read(EventQuery.all(1000)).stream().map(e -> e.event().activity()).toList();
        assertThat(activities).contains("device.created", "device.lifecycle.changed");
    }

    @Test
    void idsWithUrlCharacters_roundTripPercentEncoded() throws Exception {
        String id = "meter#1?a+b%c:d=e@f$'(g)!*,";
        String encoded = java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8);
        Reply created = call("POST", "/api/v1/devices", JSON.writeValueAsString(Map.of("deviceId", id)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Reply shown = call("GET", "/api/v1/devices/" + encoded, null);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.json().path("deviceId").asText()).isEqualTo(id);
        assertThat(call("DELETE", "/api/v1/devices/" + encoded, null, "If-Match: \"device-1\"").status()).isEqualTo(204);
    }

    @Test
    void injectionAttempts_throughPathsQueryParametersAndJson_changeNothing() throws Exception {
        call("POST", "/api/v1/devices", "{\"deviceId\":\"inj-victim\"}");
        long before = devices();
        assertProblem(call("GET", "/api/v1/devices/x'%20OR%20'1'='1", null), 400, "invalid-device-id");
        assertProblem(call("GET", "/api/v1/devices/x'OR'1'='1", null), 404, "device-not-found");
        assertProblem(call("DELETE", "/api/v1/devices/inj-victim'%20OR%20'1'='1", null), 400, "invalid-device-id");
        assertThat(call("GET", "/api/v1/devices?hub=x'%20OR%20'1'='1&limit=1000", null).json().path("items")).isEmpty();
        assertProblem(call("GET", "/api/v1/devices?status=enabled'%20OR%20'1'='1", null), 400, "invalid-status");
        assertProblem(call("POST", "/api/v1/devices", "{\"deviceId\":\"a'; DROP TABLE device; --\"}"), 400, "invalid-device-id");
        Reply stored = call("POST", "/api/v1/devices", "{\"deviceId\":\"inj-1\",\"hub\":\"h\",\"tags\":{\"site\":\"'; DELETE FROM device; --\"},"
                + "\"statusReason\":\"') OR 1=1 --\",\"properties\":{\"desired\":{\"q\":\"\\\" OR \\\"1\\\"=\\\"1\"}}}");
        assertThat(stored.status()).as(stored.body()).isEqualTo(201);
        assertThat(stored.json().at("/tags/site").asText()).isEqualTo("'; DELETE FROM device; --");
        assertProblem(call("PATCH", "/api/v1/devices/inj-1/tags", "{\"a'b\":1,\"x) OR (1\":{\"$where\":1}}"), 400, "invalid-property-name");
        Reply q = call("POST", "/api/v1/devices/query", "{\"query\":\"SELECT * FROM devices WHERE tags.site = '''; DELETE FROM device; --'\"}");
        assertThat(q.status()).as(q.body()).isIn(200, 400);
        assertThat(devices()).isEqualTo(before + 1);
        assertThat(call("GET", "/api/v1/devices/inj-victim", null).json().path("status").asText()).isEqualTo("enabled");
    }

    @Test
    void query_returnsRows_andSyntaxErrorsWithThePosition() throws Exception {
        call("POST", "/api/v1/devices", "{\"deviceId\":\"q-1\",\"tags\":{\"site\":\"plant-q\"}}");
        call("POST", "/api/v1/devices", "{\"deviceId\":\"q-2\",\"tags\":{\"site\":\"plant-q\"}}");
        call("POST", "/api/v1/devices", "{\"deviceId\":\"q-3\",\"tags\":{\"site\":\"elsewhere\"}}");
        Reply page = call("POST", "/api/v1/devices/query", "{\"query\":\"SELECT * FROM devices WHERE tags.site = 'plant-q'\",\"pageSize\":1}");
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.json().path("rows")).hasSize(1);
        String continuation = page.json().path("continuation").asText();
        assertThat(continuation).isNotEmpty();
        Reply next = call("POST", "/api/v1/devices/query", JSON.writeValueAsString(Map.of("query", "SELECT * FROM devices WHERE tags.site = 'plant-q'",
                "continuation", continuation, "pageSize", 1)));
        assertThat(next.json().path("rows")).hasSize(1);
        assertThat(next.json().path("rows").get(0).path("deviceId").asText()).isNotEqualTo(page.json().path("rows").get(0).path("deviceId").asText());
        Reply bad = call("POST", "/api/v1/devices/query", "{\"query\":\"SELECT * FROM devices WHERE tags.site = \"}");
        assertProblem(bad, 400, "query-syntax");
        Matcher m = Pattern.compile("at (\\d+)").matcher(bad.json().path("detail").asText());
        assertThat(m.find()).as(bad.json().path("detail").asText()).isTrue();
        assertThat(bad.json().path("position").asInt()).isEqualTo(Integer.parseInt(m.group(1)));
        assertThat(bad.json().path("expected").asText()).isNotBlank();
    }

    @Test
    void bulkImportAndExport_asJobs() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 50; i++) lines.append("{\"deviceId\":\"bulk-").append(i).append("\",\"tags\":{\"batch\":\"b1\"}}\n");
        lines.append("{\"deviceId\":\"bad id\"}\n");
        Reply started = call("POST", "/api/v1/jobs/import", lines.toString(), "Content-Type: application/x-ndjson");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String job = started.json().path("id").asText();
        assertThat(started.header("location")).isEqualTo("/api/v1/jobs/" + job);
        JsonNode j = waitFor(job);
        assertThat(j.path("status").asText()).isEqualTo("completed");
        assertThat(j.path("succeeded").asLong()).isEqualTo(50);
        assertThat(j.path("failed").asLong()).isEqualTo(1);
        assertThat(j.at("/errors/0/line").asLong()).isEqualTo(51);
        assertThat(j.path("progress").asDouble()).isEqualTo(1.0);

        Reply again = call("POST", "/api/v1/jobs/import", lines.toString(), "Content-Type: application/x-ndjson");
        assertThat(waitFor(again.json().path("id").asText()).at("/counts/unchanged").asLong()).isEqualTo(50);

        Files.writeString(dir.resolve("data/registry/import/more.jsonl"), "{\"deviceId\":\"bulk-from-path\"}\n");
        Reply byPath = call("POST", "/api/v1/jobs/import", "{\"path\":\"more.jsonl\"}");
        assertThat(waitFor(byPath.json().path("id").asText()).at("/counts/created").asLong()).isEqualTo(1);

        Reply export = call("POST", "/api/v1/jobs/export", null);
        assertThat(export.status()).isEqualTo(202);
        String exportId = export.json().path("id").asText();
        waitFor(exportId);
        Reply output = call("GET", "/api/v1/jobs/" + exportId + "/output", null);
        assertThat(output.status()).isEqualTo(200);
        assertThat(output.header("content-type")).startsWith("application/x-ndjson");
        assertThat(output.body().lines().filter(l -> l.contains("\"bulk-")).count()).isEqualTo(51);
        assertProblem(call("GET", "/api/v1/jobs/" + job + "/output", null), 409, "not-an-export");
        assertThat(call("GET", "/api/v1/jobs?limit=10", null).json().path("items").size()).isGreaterThanOrEqualTo(4);
    }

    JsonNode waitFor(String job) throws Exception {
        for (int i = 0; i < 300; i++) {
            JsonNode j = call("GET", "/api/v1/jobs/" + job, null).json();
            if (j.path("status").asText().equals("completed") || j.path("status").asText().equals("failed")) return j;
            Thread.sleep(100);
        }
        throw new AssertionError("job " + job + " did not finish");
    }

    @Test
    void models_andDevicePatchAndPut() throws Exception {
        assertThat(call("POST", "/api/v1/models", "{\"id\":\"acme-x1\",\"manufacturer\":\"Acme\",\"model\":\"X1\",\"endOfSupport\":\"2031-12-31\"}").status()).isEqualTo(201);
        assertProblem(call("POST", "/api/v1/models", "{\"id\":\"acme-x2\",\"manufacturer\":\"Acme\",\"model\":\"X2\",\"endOfSupport\":\"soon\"}"), 400, "invalid-field");
        call("POST", "/api/v1/devices", "{\"deviceId\":\"gw-p\",\"capabilities\":{\"gateway\":true}}");
        call("POST", "/api/v1/devices", "{\"deviceId\":\"p-1\"}");
        Reply patched = call("PATCH", "/api/v1/devices/p-1", "{\"modelId\":\"acme-x1\",\"parentId\":\"gw-p\",\"hub\":\"hub-9.example\"}", "If-Match: \"device-1\"");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().path("modelId").asText()).isEqualTo("acme-x1");
        assertThat(patched.header("etag")).isEqualTo("\"device-2\"");
        assertProblem(call("DELETE", "/api/v1/models/acme-x1", null), 409, "model-in-use");
        Reply cleared = call("PATCH", "/api/v1/devices/p-1", "{\"modelId\":null,\"hub\":null}");
        assertThat(cleared.json().path("modelId").isNull()).isTrue();
        Reply put = call("PUT", "/api/v1/devices/p-1", "{\"status\":\"disabled\",\"statusReason\":\"maintenance\",\"lifecycle\":\"registered\","
                + "\"authentication\":{\"type\":\"ca\"}}");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().path("parentId").isNull()).isTrue();
        assertThat(put.json().at("/authentication/type").asText()).isEqualTo("ca");
        assertProblem(call("PUT", "/api/v1/devices/p-1", "{\"status\":\"enabled\"}"), 400, "missing-field");
        assertThat(call("DELETE", "/api/v1/models/acme-x1", null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/v1/models", null).json().path("items")).isEmpty();
    }
}
