package dev.holdfast.server.http;

/**
 * Carries a {@link Problem} from wherever a request is refused to the one exception mapper of the
 * {@link ApiServer}, which renders it as problem+json and logs the internal cause once (at DEBUG:
 * refusals are the caller's business, not the operator's).
 */
public final class ProblemException extends RuntimeException {
    private final transient Problem problem;

    public ProblemException(Problem problem, Throwable internalCause) {
        super(problem.slug() + ": " + problem.detail(), internalCause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
