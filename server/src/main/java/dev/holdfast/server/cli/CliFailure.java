package dev.holdfast.server.cli;

/**
 * A command ended without doing what was asked: printed as one line on stderr ({@code holdfast: ...})
 * with its exit code, never a stack trace.
 */
public final class CliFailure extends RuntimeException {
    /** The server or a check refused, or the server could not be reached. */
    public static final int REFUSED = 1;
    /** The command line or the local setup is wrong: missing token, trust bundle, bad option. */
    public static final int USAGE = 2;

    private final int exitCode;

    public CliFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public static CliFailure refused(String message) {
        return new CliFailure(REFUSED, message);
    }

    public static CliFailure usage(String message) {
        return new CliFailure(USAGE, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
