package dev.holdfast.server.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration.
 *
 * <p>{@link #toString()} is the line an operator sees:
 * {@code server.https.port: 70000 is above maximum 65535 [holdfast.yaml line 3]}.
 *
 * @param path    where the problem is: a setting key ({@code server.https.port}), a list element
 *                ({@code server.tls.subjectAltNames[1]}), or the file itself for problems that belong
 *                to no key, such as malformed YAML
 * @param message what is wrong, with the rule and the bad value (secret values are never echoed)
 * @param origin  where the bad value came from ({@code holdfast.yaml line 3}, {@code environment
 *                HOLDFAST_SERVER_HTTPS_PORT}); empty when the problem has no single origin
 */
public record ConfigError(String path, String message, String origin) {
    public ConfigError {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(origin, "origin");
    }

    @Override
    public String toString() {
        return origin.isEmpty() ? path + ": " + message : path + ": " + message + " [" + origin + "]";
    }
}
