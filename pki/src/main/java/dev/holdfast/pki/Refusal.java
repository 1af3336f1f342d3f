package dev.holdfast.pki;

/**
 * Why the PKI said no. The public message says what was asked and what the rule is; the internal
 * cause stays in logs. Each boundary translates the kind once: HTTP status, CLI exit code, event.
 */
public record Refusal(Kind kind, String code, String publicMessage) {
    public enum Kind {
        /** The request is malformed or breaks a policy rule on its content (HTTP 400). */
        INVALID,
        /** The caller did not prove who it is (HTTP 401). */
        UNAUTHENTICATED,
        /** The caller is known but may not do this (HTTP 403). */
        FORBIDDEN,
        /** The named object does not exist (HTTP 404). */
        NOT_FOUND,
        /** The request conflicts with the current state (HTTP 409). */
        CONFLICT,
        /** The service cannot do this now (HTTP 503). */
        UNAVAILABLE
    }

    public RefusedException exception() {
        return new RefusedException(this, null);
    }

    public RefusedException exception(Throwable cause) {
        return new RefusedException(this, cause);
    }

    public static RefusedException invalid(String code, String message) {
        return new Refusal(Kind.INVALID, code, message).exception();
    }

    public static RefusedException forbidden(String code, String message) {
        return new Refusal(Kind.FORBIDDEN, code, message).exception();
    }

    public static RefusedException unauthenticated(String code, String message) {
        return new Refusal(Kind.UNAUTHENTICATED, code, message).exception();
    }

    public static RefusedException notFound(String code, String message) {
        return new Refusal(Kind.NOT_FOUND, code, message).exception();
    }

    public static RefusedException conflict(String code, String message) {
        return new Refusal(Kind.CONFLICT, code, message).exception();
    }
}
