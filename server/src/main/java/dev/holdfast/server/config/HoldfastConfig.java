package dev.holdfast.server.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded, checked and immutable configuration: a value for every setting of the catalogue that has
 * one, and where each value came from. Components read it through the constants of {@link Settings}:
 * <pre>{@code
 * int port = config.get(Settings.SERVER_HTTPS_PORT);
 * Optional<String> jdbcUrl = config.find(Settings.STORE_JDBC_URL);
 * }</pre>
 * The server assembly builds each component's own config record from it.
 *
 * <p>{@link #toString()} and {@link #describe()} show secret settings as {@code ****}.
 */
public final class HoldfastConfig {
    static final String DEFAULT_ORIGIN = "default";
    static final String CODE_ORIGIN = "set in code";

    private final Catalogue catalogue;
    private final Map<String, Value> values;
    private final List<String> warnings;

    /** A value and where it came from. */
    record Value(Object value, String origin) {
        Value {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(origin, "origin");
        }
    }

    HoldfastConfig(Catalogue catalogue, Map<String, Value> values, List<String> warnings) {
        this.catalogue = catalogue;
        this.values = Map.copyOf(values);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * The configuration with nothing set: every default, no optional setting. Meant for tests and tools;
     * a server loads its configuration with {@link ConfigLoader}.
     *
     * @throws IllegalStateException if a default cannot be computed (the machine has no usable host name)
     */
    public static HoldfastConfig defaults() {
        try {
            return new ConfigLoader().load(Map.of());
        } catch (ConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * The value of a setting that always has one: it has a default or is required.
     *
     * @throws IllegalArgumentException if the setting is optional (use {@link #find}), or is not part of
     *                                  this configuration's catalogue
     */
    public <T> T get(Setting<T> setting) {
        requireKnown(setting);
        if (setting.optional()) {
            throw new IllegalArgumentException(setting.key() + ": optional (expected: find(" + setting.key() + "))");
        }
        Value value = values.get(setting.key());
        if (value == null) throw new IllegalStateException(setting.key() + ": no value (the configuration failed to load)");
        return cast(setting, value);
    }

    /**
     * The value of any setting, empty when an optional setting is not set.
     *
     * @throws IllegalArgumentException if the setting is not part of this configuration's catalogue
     */
    public <T> Optional<T> find(Setting<T> setting) {
        requireKnown(setting);
        Value value = values.get(setting.key());
        return value == null ? Optional.empty() : Optional.of(cast(setting, value));
    }

    /**
     * The content of a secret file setting, without trailing line breaks (which editors and
     * {@code echo} add), or empty when the setting is not set. The caller should overwrite the array once
     * the secret is handed on.
     *
     * @throws IllegalArgumentException if the setting is not a secret file setting
     * @throws IOException              if the file has become unreadable since the configuration was loaded
     */
    public Optional<char[]> readSecret(Setting<Path> setting) throws IOException {
        requireKnown(setting);
        if (!setting.type().secret()) {
            throw new IllegalArgumentException(setting.key() + ": a " + setting.type().name() + " (expected: a secret file)");
        }
        Optional<Path> file = find(setting);
        if (file.isEmpty()) return Optional.empty();
        byte[] bytes = Files.readAllBytes(file.get());
        try {
            CharBuffer decoded = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
            int end = decoded.limit();
            while (end > 0 && (decoded.get(end - 1) == '\n' || decoded.get(end - 1) == '\r')) end--;
            char[] secret = new char[end];
            decoded.get(0, secret);
            if (decoded.hasArray()) Arrays.fill(decoded.array(), '\0');
            return Optional.of(secret);
        } catch (CharacterCodingException e) {
            throw new IOException(setting.key() + ": the file is not UTF-8 text", e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * Where a setting's value came from: {@code default}, {@code holdfast.yaml line 3}, {@code environment
     * HOLDFAST_SERVER_HTTPS_PORT}, {@code set in code}, or {@code not set}.
     */
    public String origin(Setting<?> setting) {
        requireKnown(setting);
        Value value = values.get(setting.key());
        return value == null ? "not set" : value.origin();
    }

    /**
     * Things that did not stop loading but that an operator should see, one line each: an environment
     * variable that looks like a misspelt setting, or a secret file that other users can read. The server
     * logs them at WARN.
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * A copy with one setting changed, for tests and tools. The value is checked against the setting's
     * type and limits, not against the rules between settings, which only loading applies.
     *
     * @throws IllegalArgumentException if the value breaks the setting's limits, or the setting is not part
     *                                  of this configuration's catalogue
     */
    public <T> HoldfastConfig with(Setting<T> setting, T value) {
        requireKnown(setting);
        Objects.requireNonNull(value, "value");
        List<String> problems = new ArrayList<>();
        setting.validate(value, (suffix, message) -> problems.add(setting.key() + suffix + ": " + message));
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
        Map<String, Value> changed = new LinkedHashMap<>(values);
        changed.put(setting.key(), new Value(value, CODE_ORIGIN));
        return new HoldfastConfig(catalogue, changed, warnings);
    }

    /** A copy without an optional setting's value. */
    public HoldfastConfig without(Setting<?> setting) {
        requireKnown(setting);
        if (!setting.optional()) throw new IllegalArgumentException(setting.key() + ": not optional (expected: an optional setting)");
        Map<String, Value> changed = new LinkedHashMap<>(values);
        changed.remove(setting.key());
        return new HoldfastConfig(catalogue, changed, warnings);
    }

    /** One line per setting, {@code key = value (origin)}, secrets as {@code ****}, for {@code holdfast config show}. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (Setting<?> setting : catalogue.settings()) {
            Value value = values.get(setting.key());
            out.append(setting.key()).append(" = ")
                    .append(value == null ? "" : show(setting, value.value()))
                    .append(" (").append(value == null ? "not set" : value.origin()).append(")\n");
        }
        return out.toString();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("HoldfastConfig{");
        boolean first = true;
        for (Setting<?> setting : catalogue.settings()) {
            Value value = values.get(setting.key());
            if (value == null) continue;
            if (!first) out.append(", ");
            first = false;
            out.append(setting.key()).append('=').append(show(setting, value.value()));
        }
        return out.append('}').toString();
    }

    @SuppressWarnings("unchecked")
    private static <T> String show(Setting<T> setting, Object value) {
        return setting.show((T) value);
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Setting<T> setting, Value value) {
        // Values are stored only after parsing with setting.type(), so the cast cannot fail.
        return (T) value.value();
    }

    private void requireKnown(Setting<?> setting) {
        Objects.requireNonNull(setting, "setting");
        if (!catalogue.contains(setting)) {
            throw new IllegalArgumentException(setting.key() + ": not in this configuration's catalogue");
        }
    }
}
