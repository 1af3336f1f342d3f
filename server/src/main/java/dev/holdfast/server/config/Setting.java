package dev.holdfast.server.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One typed configuration setting: its key, type, default, documentation and limits. The catalogue of
 * all settings is {@link Settings}; a loaded {@link HoldfastConfig} answers {@link HoldfastConfig#get}
 * for each of them.
 *
 * <p>Every setting has exactly one of four kinds of default: a fixed value ({@code 8443}), a value
 * computed at load time ({@code server.publicHostname} asks the machine for its name), none because the
 * setting is optional (read it with {@link HoldfastConfig#find}), or none because it is required (loading
 * fails without it).
 *
 * @param <T> the value's Java type; immutable
 */
public final class Setting<T> {
    private static final Pattern KEY = Pattern.compile("[a-z][a-zA-Z0-9]*(\\.[a-z][a-zA-Z0-9]*)+");

    /** What happens when neither the file nor the environment sets a value. */
    enum Presence { FIXED_DEFAULT, COMPUTED_DEFAULT, OPTIONAL, REQUIRED }

    private final String key;
    private final String envName;
    private final SettingType<T> type;
    private final Presence presence;
    private final T defaultValue;
    private final Supplier<T> computedDefault;
    private final String computedDefaultDoc;
    private final String doc;
    private final String unit;
    private final T min;
    private final T max;
    private final List<Function<T, String>> checks;

    private Setting(Builder<T> b) {
        this.key = b.key;
        this.envName = Spelling.envName(b.key);
        this.type = b.type;
        this.presence = b.presence;
        this.defaultValue = b.defaultValue;
        this.computedDefault = b.computedDefault;
        this.computedDefaultDoc = b.computedDefaultDoc;
        this.doc = b.doc;
        this.unit = b.unit;
        this.min = b.min;
        this.max = b.max;
        this.checks = List.copyOf(b.checks);
    }

    /** Starts the definition of a setting; only the catalogue defines settings. */
    static <T> Builder<T> define(String key, SettingType<T> type) {
        return new Builder<>(key, type);
    }

    /** The dotted key, as in the YAML file: {@code server.https.port}. */
    public String key() {
        return key;
    }

    /** The environment variable that overrides the file: {@code HOLDFAST_SERVER_HTTPS_PORT}. */
    public String envName() {
        return envName;
    }

    /** The first segment of the key, under which the reference documentation lists the setting. */
    public String section() {
        return key.substring(0, key.indexOf('.'));
    }

    public SettingType<T> type() {
        return type;
    }

    /** What the setting means, in a sentence or three, for the reference documentation. */
    public String doc() {
        return doc;
    }

    /** The unit of a number, such as {@code connections}; empty when the type says it all. */
    public String unit() {
        return unit;
    }

    /** The fixed default, if the setting has one. */
    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** Whether the setting may stay unset; read such a setting with {@link HoldfastConfig#find}. */
    public boolean optional() {
        return presence == Presence.OPTIONAL;
    }

    /** Whether loading fails when no value is given. */
    public boolean required() {
        return presence == Presence.REQUIRED;
    }

    /** The smallest value allowed, if any (inclusive). */
    public Optional<T> min() {
        return Optional.ofNullable(min);
    }

    /** The largest value allowed, if any (inclusive). */
    public Optional<T> max() {
        return Optional.ofNullable(max);
    }

    /** The default as the reference documentation shows it: a value, or words for the other kinds. */
    public String defaultDescription() {
        return switch (presence) {
            case FIXED_DEFAULT -> type.format(defaultValue);
            case COMPUTED_DEFAULT -> computedDefaultDoc;
            case OPTIONAL -> "none (optional)";
            case REQUIRED -> "none (required)";
        };
    }

    Presence presence() {
        return presence;
    }

    /** The default to use when no value is given; null for optional and required settings. */
    T resolveDefault() {
        return switch (presence) {
            case FIXED_DEFAULT -> defaultValue;
            case COMPUTED_DEFAULT -> computedDefault.get();
            case OPTIONAL, REQUIRED -> null;
        };
    }

    /** Checks a parsed value against the type, the limits and the setting's own rules. */
    void validate(T value, SettingType.Problems problems) {
        var order = type.order();
        if (min != null && order.compare(value, min) < 0) {
            problems.report("", show(value) + " is below minimum " + type.format(min));
        } else if (max != null && order.compare(value, max) > 0) {
            problems.report("", show(value) + " is above maximum " + type.format(max));
        }
        for (Function<T, String> check : checks) {
            String problem = check.apply(value);
            if (problem != null) problems.report("", problem);
        }
        type.validate(value, problems);
    }

    /** The value for logs and messages: {@code ****} for secrets. */
    String show(T value) {
        return type.secret() ? "****" : type.format(value);
    }

    @Override
    public String toString() {
        return key;
    }

    /** Defines a setting. Without {@code defaultValue}, {@code computedDefault}, {@code optional} or {@code required}, {@code build} refuses. */
    static final class Builder<T> {
        private final String key;
        private final SettingType<T> type;
        private Presence presence;
        private T defaultValue;
        private Supplier<T> computedDefault;
        private String computedDefaultDoc;
        private String doc;
        private String unit = "";
        private T min;
        private T max;
        private final List<Function<T, String>> checks = new ArrayList<>();

        private Builder(String key, SettingType<T> type) {
            if (key == null || !KEY.matcher(key).matches()) {
                throw new IllegalArgumentException("key: " + key + " (expected: dotted lowerCamelCase segments, at least two)");
            }
            this.key = key;
            this.type = Objects.requireNonNull(type, "type");
        }

        Builder<T> defaultValue(T value) {
            setPresence(Presence.FIXED_DEFAULT);
            this.defaultValue = Objects.requireNonNull(value, "defaultValue");
            return this;
        }

        /** A default computed when the configuration is loaded; {@code doc} describes it for the documentation. */
        Builder<T> computedDefault(String doc, Supplier<T> value) {
            setPresence(Presence.COMPUTED_DEFAULT);
            this.computedDefaultDoc = Objects.requireNonNull(doc, "doc");
            this.computedDefault = Objects.requireNonNull(value, "value");
            return this;
        }

        Builder<T> optional() {
            setPresence(Presence.OPTIONAL);
            return this;
        }

        Builder<T> required() {
            setPresence(Presence.REQUIRED);
            return this;
        }

        Builder<T> doc(String doc) {
            this.doc = doc;
            return this;
        }

        /** The unit of a number, for the documentation; unset means none. */
        Builder<T> unit(String unit) {
            this.unit = Objects.requireNonNull(unit, "unit");
            return this;
        }

        /** The smallest value allowed (inclusive); unset means the type's own limit. */
        Builder<T> min(T min) {
            requireOrdered("min");
            this.min = Objects.requireNonNull(min, "min");
            return this;
        }

        /** The largest value allowed (inclusive); unset means the type's own limit. */
        Builder<T> max(T max) {
            requireOrdered("max");
            this.max = Objects.requireNonNull(max, "max");
            return this;
        }

        /** A further rule: {@code check} returns what is wrong with a value (without the key), or null. */
        Builder<T> check(Function<T, String> check) {
            checks.add(Objects.requireNonNull(check, "check"));
            return this;
        }

        Setting<T> build() {
            if (presence == null) {
                throw new IllegalStateException(key + ": no default (expected: defaultValue, computedDefault, optional or required)");
            }
            if (doc == null || doc.isBlank()) throw new IllegalStateException(key + ": no doc (expected: a description)");
            if (min != null && max != null && type.order().compare(min, max) > 0) {
                throw new IllegalStateException(key + ": min " + type.format(min) + " is above max " + type.format(max));
            }
            Setting<T> setting = new Setting<>(this);
            if (defaultValue != null) {
                List<String> problems = new ArrayList<>();
                setting.validate(defaultValue, (suffix, message) -> problems.add(message));
                if (!problems.isEmpty()) throw new IllegalStateException(key + ": default " + problems);
            }
            return setting;
        }

        private void setPresence(Presence presence) {
            if (this.presence != null) throw new IllegalStateException(key + ": default already defined as " + this.presence);
            this.presence = presence;
        }

        private void requireOrdered(String what) {
            if (type.order() == null) throw new IllegalStateException(key + ": " + what + " on unordered type " + type.name());
        }
    }
}
