package dev.holdfast.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.pki.Refusal;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProblemResponsesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void json_hasTheFiveRfc9457MembersInOrder() throws Exception {
        Problem p = Problem.conflict("already-revoked", "certificate 0a1b was revoked at 2026-01-01T00:00:00Z");
        String json = ProblemResponses.json(p, "/api/v1/certificates/0a1b", Map.of());
        JsonNode doc = JSON.readTree(json);
        assertThat(doc.fieldNames()).toIterable().containsExactly("type", "title", "status", "detail", "instance");
        assertThat(doc.path("type").asText()).isEqualTo("https://holdfast.dev/problems/already-revoked");
        assertThat(doc.path("title").asText()).isEqualTo("Conflict");
        assertThat(doc.path("status").asInt()).isEqualTo(409);
        assertThat(doc.path("detail").asText()).isEqualTo("certificate 0a1b was revoked at 2026-01-01T00:00:00Z");
        assertThat(doc.path("instance").asText()).isEqualTo("/api/v1/certificates/0a1b");
    }

    @Test
    void json_escapesWhateverTheDetailQuotes() throws Exception {
        Problem p = Problem.notFound("not-found", "no resource at GET /\"}<script>\n");
        assertThat(JSON.readTree(ProblemResponses.json(p, "/x", Map.of())).path("detail").asText()).isEqualTo("no resource at GET /\"}<script>\n");
    }

    @Test
    void json_addsExtensionMembersButNeverOverStandardOnes() throws Exception {
        Problem p = new Problem(503, "not-ready", "Not ready", "readiness check 'database' failed");
        JsonNode doc = JSON.readTree(ProblemResponses.json(p, "/readyz", Map.of("checks", Map.of("database", "not ready"))));
        assertThat(doc.path("checks").path("database").asText()).isEqualTo("not ready");
        assertThatThrownBy(() -> ProblemResponses.json(p, "/readyz", Map.of("status", 200))).hasMessageStartingWith("extensions: status");
    }

    @Test
    void internalError_namesOnlyTheErrorId() {
        UUID id = UUID.fromString("0190f1c2-0000-7000-8000-000000000001");
        Problem p = ProblemResponses.internalError(id);
        assertThat(p.status()).isEqualTo(500);
        assertThat(p.detail()).contains(id.toString());
    }

    @Test
    void fromJavalin_mapsRoutingErrorsToProblems() {
        assertThat(ProblemResponses.fromJavalin(404, "Endpoint GET /x not found", "GET /x"))
                .isEqualTo(Problem.notFound("not-found", "no resource at GET /x"));
        assertThat(ProblemResponses.fromJavalin(405, null, "POST /healthz").slug()).isEqualTo("method-not-allowed");
        Problem tooLarge = ProblemResponses.fromJavalin(413, "body exceeds 1000000 bytes", "POST /x");
        assertThat(tooLarge.slug()).isEqualTo("content-too-large");
        assertThat(tooLarge.detail()).isEqualTo("body exceeds 1000000 bytes");
        assertThat(ProblemResponses.fromJavalin(200, null, "GET /").status()).isEqualTo(500);
    }

    @Test
    void fromRefusal_mapsEachKindToItsStatus() {
        for (var kind : Refusal.Kind.values()) {
            Problem p = ProblemResponses.fromRefusal(new Refusal(kind, "est.csr_invalid", "CSR signature does not verify"));
            int expected = switch (kind) {
                case INVALID -> 400;
                case UNAUTHENTICATED -> 401;
                case FORBIDDEN -> 403;
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                case UNAVAILABLE -> 503;
            };
            assertThat(p.status()).as(kind.name()).isEqualTo(expected);
            assertThat(p.slug()).isEqualTo("est-csr-invalid");
            assertThat(p.detail()).isEqualTo("CSR signature does not verify");
        }
    }

    @Test
    void problem_rejectsValuesThatCannotBeRendered() {
        assertThatThrownBy(() -> new Problem(200, "ok", "OK", "")).hasMessage("status: 200 (expected: 400..599)");
        assertThatThrownBy(() -> new Problem(400, "Bad Slug", "Bad", "")).hasMessageStartingWith("slug: Bad Slug");
        assertThat(new Problem(400, "x", "X", null).detail()).isEmpty();
        for (String s : List.of("Content Too Large", "est.csr_invalid", "--")) {
            assertThat(ProblemResponses.slugOf(s)).matches("[a-z0-9]+(-[a-z0-9]+)*");
        }
    }
}
