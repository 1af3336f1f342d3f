package dev.holdfast.posture;

/**
 * Untrusted document bytes (an SBOM, an advisory, a feed, a CVSS vector, a rule pack) that do not
 * parse or break their schema. The reason cites the rule; the location says where (an RFC 6901 JSON
 * Pointer such as {@code /components/3/type}, a JSON path such as {@code $.packages[0].name}, {@code line 12, column 4}, or a vector metric), or is empty.
 */
public final class MalformedDocumentException extends Exception {
    private final String location;
    private final String reason;

    public MalformedDocumentException(String location, String reason) {
        super(location == null || location.isEmpty() ? reason : location + ": " + reason);
        this.location = location == null ? "" : location;
        this.reason = reason;
    }

    public MalformedDocumentException(String location, String reason, Throwable cause) {
        this(location, reason);
        initCause(cause);
    }

    /** Where the document broke the rule, or empty when unknown. */
    public String location() {
        return location;
    }

    public String reason() {
        return reason;
    }
}
