package dev.holdfast.server.config;

import java.util.Objects;
import java.util.function.Function;

/**
 * A rule that spans settings, such as "the PIN file is required with the PKCS#11 backend". Rules run
 * after every setting has been parsed on its own, over the settings that parsed; a rule whose inputs
 * failed stays silent, since those inputs already have their own error.
 *
 * @param path      the key the error is reported against
 * @param violation what is wrong with a configuration (without the key), or null when the rule holds
 */
record Rule(String path, Function<HoldfastConfig, String> violation) {
    Rule {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(violation, "violation");
    }
}
