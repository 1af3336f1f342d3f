package dev.holdfast.pki;

/**
 * Untrusted bytes (a CSR, an OCSP request, an EST body) that do not parse. The reason cites the rule
 * that was broken; the offset is where parsing stopped, or -1 when unknown.
 */
public final class MalformedInputException extends Exception {
    private final long offset;
    private final String reason;

    public MalformedInputException(long offset, String reason) {
        super(offset >= 0 ? reason + " (at byte " + offset + ")" : reason);
        this.offset = offset;
        this.reason = reason;
    }

    public MalformedInputException(String reason, Throwable cause) {
        super(reason, cause);
        this.offset = -1;
        this.reason = reason;
    }

    public long offset() {
        return offset;
    }

    public String reason() {
        return reason;
    }
}
