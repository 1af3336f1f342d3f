package dev.holdfast.server.registry;

import dev.holdfast.registry.RegistryRefusal;
import dev.holdfast.registry.RegistryRefusedException;
import dev.holdfast.registry.query.QuerySyntaxException;
import dev.holdfast.server.http.Problem;
import dev.holdfast.server.http.ProblemException;
import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * The one place where the registry's refusals become HTTP problems (RFC 9457): every registry route
 * runs inside {@link #translated}, which maps each kind of {@link RegistryRefusal} to its status and
 * throws the server's {@link ProblemException}, rendered and logged by the API server like every
 * other refusal. A stale {@code If-Match} also gets the current {@code ETag} header, so the client can
 * re-read and retry.
 */
public final class RegistryProblems {
    private RegistryProblems() {
    }

    /** {@code handler}, with registry refusals and query syntax errors turned into problems. */
    public static Handler translated(Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (RegistryRefusedException e) {
                throw toProblem(ctx, e);
            } catch (QuerySyntaxException e) {
                throw Problem.badRequest("query-syntax", "query " + e.getMessage()
                        + (e.expected() == null || e.getMessage().contains(e.expected()) ? "" : " (expected: " + e.expected() + ")")).exception(e);
            }
        };
    }

    static ProblemException toProblem(Context ctx, RegistryRefusedException e) {
        RegistryRefusal r = e.refusal();
        Problem p = switch (r) {
            case RegistryRefusal.Invalid i -> Problem.badRequest(i.code(), i.message());
            case RegistryRefusal.NotFound n -> Problem.notFound(n.code(), n.message());
            case RegistryRefusal.Conflict c -> Problem.conflict(c.code(), c.message());
            case RegistryRefusal.PreconditionFailed f -> {
                // RFC 9110 §13.1.1: the client learns the current tag and may retry on the new state.
                ctx.header("ETag", f.current().header());
                yield new Problem(412, f.code(), "Precondition failed", f.message());
            }
            case RegistryRefusal.TooLarge t -> new Problem(413, t.code(), "Content too large", t.message());
            case RegistryRefusal.Unavailable u -> new Problem(503, u.code(), "Service unavailable", u.message());
        };
        return p.exception(e);
    }
}
