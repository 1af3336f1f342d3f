package dev.holdfast.server.config;

import java.util.List;

/**
 * The configuration cannot be used, for every reason listed in {@link #errors()}. The server refuses to
 * start; the CLI prints {@link #getMessage()}, one error per line, and exits non-zero.
 */
public final class ConfigException extends Exception {
    private final transient List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(message(errors));
        this.errors = List.copyOf(errors);
    }

    /** Every error found, in the order of the file, then the catalogue, then the rules between settings. */
    public List<ConfigError> errors() {
        return errors;
    }

    private static String message(List<ConfigError> errors) {
        if (errors.isEmpty()) throw new IllegalArgumentException("errors: [] (expected: at least one)");
        StringBuilder out = new StringBuilder("invalid configuration (")
                .append(errors.size()).append(errors.size() == 1 ? " error):" : " errors):");
        for (ConfigError e : errors) out.append("\n  ").append(e);
        return out.toString();
    }
}
