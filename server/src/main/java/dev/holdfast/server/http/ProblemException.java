package dev.holdfast.server.http;

/**
 * Carries a {@link Problem} from wherever a request is refused to the one exception mapper of the
 * {@link ApiServer}, which renders it as problem+json and logs the internal cause once (at DEBUG:
 * refusals are the caller's business, not the operator's).
 */
public final class ProblemException extends RuntimeException {
    private final transient Problem problem;
    private final transient java.util.Map<String, Object> extensions;

    public ProblemException(Problem problem, Throwable internalCause) {
        this(problem, internalCause, java.util.Map.of());
    }

    private ProblemException(Problem problem, Throwable internalCause, java.util.Map<String, Object> extensions) {
        super(problem.slug() + ": " + problem.detail(), internalCause);
        this.problem = problem;
        this.extensions = extensions;
    }

    public Problem problem() {
        return problem;
    }

    /**
     * This refusal with an RFC 9457 §3.2 extension member, for clients that act on it without parsing
     * the detail (a query's error {@code position}, a twin's {@code currentEtag}). The standard members'
     * names are refused.
     */
    public ProblemException with(String member, Object value) {
        if (java.util.Set.of("type", "title", "status", "detail", "instance").contains(member)) {
            throw new IllegalArgumentException("member: " + member + " (expected: an extension, not a standard member)");
        }
        java.util.Map<String, Object> more = new java.util.LinkedHashMap<>(extensions);
        more.put(member, value);
        ProblemException e = new ProblemException(problem, getCause(), java.util.Collections.unmodifiableMap(more));
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The extension members, in the order they were added. */
    public java.util.Map<String, Object> extensions() {
        return extensions;
    }
}
