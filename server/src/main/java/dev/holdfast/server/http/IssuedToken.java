package dev.holdfast.server.http;

/**
 * A token just created: its stored description and the plaintext, which exists only here and is
 * shown to its owner exactly once. {@link #toString()} leaves the plaintext out, so the value cannot
 * end up in a log by accident.
 */
public record IssuedToken(ApiToken token, String plaintext) {
    public IssuedToken {
        if (token == null || plaintext == null) throw new IllegalArgumentException("IssuedToken: token and plaintext are required");
    }

    @Override
    public String toString() {
        return "IssuedToken[token=" + token + ", plaintext=****]";
    }
}
