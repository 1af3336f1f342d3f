package dev.holdfast.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.events.UuidV7;
import dev.holdfast.pki.Refusal;
import dev.holdfast.pki.RefusedException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The one place where the HTTP boundary turns errors into RFC 9457 {@code application/problem+json}
 * responses and logs them: refusals ({@link ProblemException}, the PKI's {@link RefusedException})
 * at DEBUG with their internal cause, Javalin's own 4xx (unknown route, wrong method, bad input)
 * without logging, and anything else as a 500 whose body carries only an error id, logged once at
 * ERROR with the stack trace under that id.
 */
final class ProblemResponses {
    static final String CONTENT_TYPE = "application/problem+json";
    static final String WWW_AUTHENTICATE = "Bearer realm=\"holdfast\"";

    private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProblemResponses() {
    }

    /**
     * The problem+json document: {@code type}, {@code title}, {@code status}, {@code detail},
     * {@code instance} in that order, then {@code extensions} (RFC 9457 §3.2), which must not reuse
     * those five names.
     */
    static String json(Problem problem, String instance, Map<String, ?> extensions) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", problem.type().toString());
        doc.put("title", problem.title());
        doc.put("status", problem.status());
        doc.put("detail", problem.detail());
        if (instance != null) doc.put("instance", instance);
        extensions.forEach((k, v) -> {
            if (doc.containsKey(k)) throw new IllegalArgumentException("extensions: " + k + " (expected: not a standard member name)");
            doc.put(k, v);
        });
        try {
            return JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render problem " + problem.slug(), e);
        }
    }

    /** Writes {@code problem} as the response, replacing any result set before. */
    static void write(Context ctx, Problem problem, Map<String, ?> extensions) {
        if (problem.status() == 401 && ctx.res().getHeader("WWW-Authenticate") == null) {
            // RFC 9110 §15.5.2: a 401 response must say which scheme to use (RFC 6750 §3 for Bearer).
            ctx.header("WWW-Authenticate", WWW_AUTHENTICATE);
        }
        ctx.status(problem.status());
        ctx.contentType(CONTENT_TYPE);
        ctx.header("Cache-Control", "no-store");
        ctx.result(json(problem, ctx.path(), extensions).getBytes(StandardCharsets.UTF_8));
    }

    static void write(Context ctx, Problem problem) {
        write(ctx, problem, Map.of());
    }

    static void onProblem(ProblemException e, Context ctx) {
        log.debug("{} {} refused: {}", ctx.method(), ctx.path(), e.problem().slug(), e.getCause());
        write(ctx, e.problem(), e.extensions());
    }

    static void onRefusal(RefusedException e, Context ctx) {
        log.debug("{} {} refused: {}", ctx.method(), ctx.path(), e.refusal().code(), e.getCause());
        write(ctx, fromRefusal(e.refusal()));
    }

    static void onJavalinResponse(HttpResponseException e, Context ctx) {
        Problem p = fromJavalin(e.getStatus(), e.getMessage(), ctx.method() + " " + ctx.path());
        if (e.getStatus() == 405) {
            Object methods = e.getDetails().get("availableMethods");
            if (methods != null) ctx.header("Allow", methods.toString().replaceAll("[\\[\\]]", ""));
        }
        write(ctx, p);
    }

    static void onUnexpected(Exception e, Context ctx) {
        UUID errorId = UuidV7.now();
        log.error("{} {} failed [error {}]", ctx.method(), ctx.path(), errorId, e);
        write(ctx, internalError(errorId));
    }

    /**
     * For responses that reached the end with an error status but no body (a handler that only set
     * the status): renders the matching problem. Leaves a body that is already there.
     */
    static void onBareStatus(Context ctx) {
        if (ctx.resultInputStream() != null) return;
        int status = ctx.statusCode();
        if (status == 500) {
            UUID errorId = UuidV7.now();
            log.error("{} {} answered 500 without a body [error {}]", ctx.method(), ctx.path(), errorId);
            write(ctx, internalError(errorId));
        } else {
            write(ctx, fromJavalin(status, null, ctx.method() + " " + ctx.path()));
        }
    }

    static Problem internalError(UUID errorId) {
        return new Problem(500, "internal-error", "Internal server error",
                "the server could not complete the request; the operator can find error " + errorId + " in the server log");
    }

    static Problem fromJavalin(int status, String message, String request) {
        return switch (status) {
            case 404 -> Problem.notFound("not-found", "no resource at " + request);
            case 405 -> new Problem(405, "method-not-allowed", "Method not allowed", request + " is not supported by this resource");
            default -> {
                HttpStatus s = HttpStatus.forStatus(status);
                String title = s == HttpStatus.UNKNOWN ? "Error" : s.getMessage();
                int code = status >= 400 && status <= 599 ? status : 500;
                String detail = message == null || message.equals(title) ? "" : message;
                yield new Problem(code, slugOf(title), title, detail);
            }
        };
    }

    static Problem fromRefusal(Refusal r) {
        String slug = slugOf(r.code());
        return switch (r.kind()) {
            case INVALID -> Problem.badRequest(slug, r.publicMessage());
            case UNAUTHENTICATED -> Problem.unauthorized(slug, r.publicMessage());
            case FORBIDDEN -> Problem.forbidden(slug, r.publicMessage());
            case NOT_FOUND -> Problem.notFound(slug, r.publicMessage());
            case CONFLICT -> Problem.conflict(slug, r.publicMessage());
            case UNAVAILABLE -> new Problem(503, slug, "Service unavailable", r.publicMessage());
        };
    }

    /** "Content Too Large" → "content-too-large"; "est.csr_invalid" → "est-csr-invalid". */
    static String slugOf(String text) {
        String s = text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "error" : s;
    }
}
