package dev.holdfast.server.http;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * What went wrong, for the caller: the public half of an error, rendered as RFC 9457
 * {@code application/problem+json}. The internal cause, if any, travels beside it in a
 * {@link ProblemException} and stays in the log.
 *
 * <p>Problem types are identified by a short slug ({@code token-required}, {@code not-found}); the
 * {@link #type()} URI is {@value #TYPE_BASE} followed by the slug (RFC 9457 §3.1.1: a URI that
 * identifies the problem type; it is an identifier and need not be dereferenceable).
 *
 * @param status the HTTP status code (400..599)
 * @param slug   the problem type, lowercase words separated by hyphens
 * @param title  a short summary of the problem type that does not change between occurrences
 *               (RFC 9457 §3.1.3)
 * @param detail what happened this time, for a human: what was asked and what the rule or limit is
 *               (RFC 9457 §3.1.4). Never a stack trace, a key, a token or an internal identifier.
 */
public record Problem(int status, String slug, String title, String detail) {
    /** Prefix of every Holdfast problem type URI. */
    public static final String TYPE_BASE = "https://holdfast.dev/problems/";

    private static final Pattern SLUG = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    public Problem {
        if (status < 400 || status > 599) throw new IllegalArgumentException("status: " + status + " (expected: 400..599)");
        if (slug == null || !SLUG.matcher(slug).matches()) {
            throw new IllegalArgumentException("slug: " + slug + " (expected: lowercase words joined by '-', e.g. token-required)");
        }
        if (title == null || title.isBlank()) throw new IllegalArgumentException("title: blank (expected: a short summary)");
        if (detail == null) detail = "";
    }

    /** The RFC 9457 {@code type} member. */
    public URI type() {
        return URI.create(TYPE_BASE + slug);
    }

    public ProblemException exception() {
        return new ProblemException(this, null);
    }

    public ProblemException exception(Throwable internalCause) {
        return new ProblemException(this, internalCause);
    }

    /** 400: the request is malformed or breaks a rule on its content. */
    public static Problem badRequest(String slug, String detail) {
        return new Problem(400, slug, "Bad request", detail);
    }

    /** 401: the caller did not prove who it is. */
    public static Problem unauthorized(String slug, String detail) {
        return new Problem(401, slug, "Authentication required", detail);
    }

    /** 403: the caller is known but may not do this. */
    public static Problem forbidden(String slug, String detail) {
        return new Problem(403, slug, "Forbidden", detail);
    }

    /** 404: the named resource does not exist. */
    public static Problem notFound(String slug, String detail) {
        return new Problem(404, slug, "Not found", detail);
    }

    /** 409: the request conflicts with the current state. */
    public static Problem conflict(String slug, String detail) {
        return new Problem(409, slug, "Conflict", detail);
    }
}
