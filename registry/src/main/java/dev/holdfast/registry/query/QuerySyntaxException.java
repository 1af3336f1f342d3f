package dev.holdfast.registry.query;

/**
 * A query that does not parse or cannot run: says where (0-based character offset) and what was
 * expected, e.g. {@code at 27: expected a value after '=' but found end of query}.
 */
public final class QuerySyntaxException extends RuntimeException {
    private final int position;
    private final String expected;

    public QuerySyntaxException(int position, String message, String expected) {
        super("at " + position + ": " + message);
        this.position = position;
        this.expected = expected;
    }

    public int position() {
        return position;
    }

    /** What the parser expected at {@link #position()}, for clients that want to hint. */
    public String expected() {
        return expected;
    }
}
