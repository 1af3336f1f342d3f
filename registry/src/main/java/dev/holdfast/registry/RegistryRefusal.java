package dev.holdfast.registry;

/**
 * Why the registry said no: a public message that says what was asked and what the rule or limit is,
 * and a short code ({@code invalid-transition}, {@code tags-too-large}). Each boundary translates the
 * kind once (HTTP status and problem+json, CLI exit code); the kinds are sealed so that translation is
 * an exhaustive {@code switch}.
 */
public sealed interface RegistryRefusal {
    /** Lower-case words joined by '-', stable: clients may branch on it. */
    String code();

    String message();

    /** The request is malformed or breaks a rule on its content (HTTP 400). */
    record Invalid(String code, String message) implements RegistryRefusal {
    }

    /** The device, model or job does not exist (HTTP 404). */
    record NotFound(String code, String message) implements RegistryRefusal {
    }

    /** The request conflicts with the current state: duplicate id, forbidden transition, children (HTTP 409). */
    record Conflict(String code, String message) implements RegistryRefusal {
    }

    /** The caller's If-Match does not match; {@code current} is the entity tag to retry with (HTTP 412). */
    record PreconditionFailed(String code, String message, Etag current) implements RegistryRefusal {
    }

    /** The content is over a size limit on what may be sent at once, e.g. an upload (HTTP 413). */
    record TooLarge(String code, String message) implements RegistryRefusal {
    }

    /** The registry cannot do this now, e.g. contention that did not clear; retry later (HTTP 503). */
    record Unavailable(String code, String message) implements RegistryRefusal {
    }

    default RegistryRefusedException exception() {
        return new RegistryRefusedException(this, null);
    }

    default RegistryRefusedException exception(Throwable internalCause) {
        return new RegistryRefusedException(this, internalCause);
    }

    static RegistryRefusal invalid(String code, String message) {
        return new Invalid(code, message);
    }

    static RegistryRefusal notFound(String code, String message) {
        return new NotFound(code, message);
    }

    static RegistryRefusal conflict(String code, String message) {
        return new Conflict(code, message);
    }
}
