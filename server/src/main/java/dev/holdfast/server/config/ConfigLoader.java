package dev.holdfast.server.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Loads a {@link HoldfastConfig} from one YAML file and the environment.
 *
 * <p>Each setting takes the first value found in: its {@code HOLDFAST_*} environment variable, the file,
 * its default. An empty value, in the file ({@code key:} or {@code key: ~}) or in the environment
 * ({@code HOLDFAST_KEY=}), counts as not set. A bad value is an error even when an environment variable
 * overrides it, so a file never hides a mistake until the day the override goes away.
 *
 * <p>Loading checks everything before it gives up: the file's syntax, unknown keys (with a suggestion),
 * every value against its type and limits, and the rules between settings. It then throws one
 * {@link ConfigException} listing every error with its key and origin, so an operator fixes them in one
 * round instead of one per restart.
 */
public final class ConfigLoader {
    /** A configuration is a few kilobytes; anything this large is the wrong file. */
    static final long MAX_FILE_BYTES = 1L << 20;

    private final Catalogue catalogue;

    /** A loader for Holdfast's catalogue, {@link Settings}. */
    public ConfigLoader() {
        this(Settings.catalogue());
    }

    ConfigLoader(Catalogue catalogue) {
        this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
    }

    /**
     * Loads without a file: environment variables and defaults only.
     *
     * @param environment the process environment ({@code System.getenv()}) or, in tests, a map
     */
    public HoldfastConfig load(Map<String, String> environment) throws ConfigException {
        return resolve(null, "", environment);
    }

    /**
     * Loads a YAML file (UTF-8, at most 1 MiB) with environment overrides.
     *
     * @param environment the process environment ({@code System.getenv()}) or, in tests, a map
     * @throws ConfigException listing every error, including a file that cannot be read
     */
    public HoldfastConfig load(Path file, Map<String, String> environment) throws ConfigException {
        Objects.requireNonNull(file, "file");
        String source = file.toString();
        String yaml;
        try {
            if (Files.isDirectory(file)) throw fileError(source, "is a directory (expected: a YAML file)");
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw fileError(source, "is larger than 1 MiB (expected: a YAML configuration of a few kilobytes)");
            }
            yaml = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (NoSuchFileException e) {
            throw fileError(source, "no such file");
        } catch (AccessDeniedException e) {
            throw fileError(source, "cannot be read (permission denied)");
        } catch (CharacterCodingException e) {
            throw fileError(source, "is not UTF-8 text");
        } catch (IOException e) {
            throw fileError(source, "cannot be read (" + e.getMessage() + ")");
        }
        return parse(yaml, source, environment);
    }

    /**
     * Loads YAML text with environment overrides; {@code source} names the text in error messages.
     *
     * @throws ConfigException listing every error
     */
    public HoldfastConfig parse(String yaml, String source, Map<String, String> environment) throws ConfigException {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(source, "source");
        // A byte order mark is legal at the start of a YAML stream but not inside a Java string handed to the parser.
        String text = yaml.startsWith("\uFEFF") ? yaml.substring(1) : yaml;
        return resolve(YamlSettings.read(text, source), source, environment);
    }

    private HoldfastConfig resolve(YamlSettings.Result file, String source, Map<String, String> environment)
            throws ConfigException {
        Objects.requireNonNull(environment, "environment");
        List<ConfigError> errors = new ArrayList<>();
        Map<String, YamlSettings.Entry> fileValues = file == null ? Map.of() : sortFileEntries(file, source, errors);

        Map<String, HoldfastConfig.Value> values = new LinkedHashMap<>();
        for (Setting<?> setting : catalogue.settings()) {
            resolveSetting(setting, fileValues.get(setting.key()), source, environment, values, errors);
        }

        HoldfastConfig resolved = new HoldfastConfig(catalogue, values, List.of());
        for (Rule rule : catalogue.rules()) {
            String violation = rule.violation().apply(resolved);
            if (violation != null) {
                HoldfastConfig.Value value = values.get(rule.path());
                String origin = value == null || value.origin().equals(HoldfastConfig.DEFAULT_ORIGIN) ? "" : value.origin();
                errors.add(new ConfigError(rule.path(), violation, origin));
            }
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new HoldfastConfig(catalogue, values, warnings(environment, values));
    }

    /**
     * Matches the file's entries to settings, reporting what matches none: unknown keys, a mapping where a
     * setting's value belongs, a value where a section belongs.
     */
    private Map<String, YamlSettings.Entry> sortFileEntries(YamlSettings.Result file, String source, List<ConfigError> errors) {
        errors.addAll(file.errors());
        Map<String, YamlSettings.Entry> bySetting = new LinkedHashMap<>();
        Set<String> mappingReported = new HashSet<>();
        for (YamlSettings.Entry entry : file.entries()) {
            String path = entry.path();
            String origin = source + " line " + entry.line();
            if (catalogue.setting(path).isPresent()) {
                bySetting.put(path, entry);
                continue;
            }
            Optional<Setting<?>> above = settingAbove(path);
            if (above.isPresent()) {
                if (mappingReported.add(above.get().key())) {
                    errors.add(new ConfigError(above.get().key(), "expected " + expected(above.get()) + ", found a mapping", origin));
                }
                continue;
            }
            if (catalogue.isSection(path)) {
                if (entry.node() instanceof YamlSettings.Scalar || entry.node() instanceof YamlSettings.Sequence) {
                    errors.add(new ConfigError(path, "is a section (expected: a mapping of settings such as "
                            + catalogue.keysUnder(path).get(0) + ")", origin));
                }
                continue;
            }
            String message = Spelling.suggest(path, catalogue.keys())
                    .map(key -> "unknown setting (did you mean " + key + "?)")
                    .orElse("unknown setting");
            errors.add(new ConfigError(path, message, origin));
        }
        return bySetting;
    }

    private Optional<Setting<?>> settingAbove(String path) {
        for (int dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
            Optional<Setting<?>> setting = catalogue.setting(path.substring(0, dot));
            if (setting.isPresent()) return setting;
        }
        return Optional.empty();
    }

    private static <T> void resolveSetting(Setting<T> setting, YamlSettings.Entry fileEntry, String source,
                                           Map<String, String> environment, Map<String, HoldfastConfig.Value> values,
                                           List<ConfigError> errors) {
        Parsed<T> fromFile = Parsed.absent();
        if (fileEntry != null) {
            String origin = source + " line " + fileEntry.line();
            fromFile = parseNode(setting, fileEntry.node(), origin, errors);
        }
        Parsed<T> fromEnv = Parsed.absent();
        String envText = environment.get(setting.envName());
        if (envText != null && !envText.isBlank()) {
            fromEnv = parseText(setting, envText.strip(), "environment " + setting.envName(), errors);
        }

        if (fromEnv.present()) {
            if (fromEnv.value() != null) values.put(setting.key(), new HoldfastConfig.Value(fromEnv.value(), fromEnv.origin()));
        } else if (fromFile.present()) {
            if (fromFile.value() != null) values.put(setting.key(), new HoldfastConfig.Value(fromFile.value(), fromFile.origin()));
        } else {
            switch (setting.presence()) {
                case FIXED_DEFAULT -> values.put(setting.key(), new HoldfastConfig.Value(setting.resolveDefault(), HoldfastConfig.DEFAULT_ORIGIN));
                case COMPUTED_DEFAULT -> {
                    try {
                        values.put(setting.key(), new HoldfastConfig.Value(setting.resolveDefault(), HoldfastConfig.DEFAULT_ORIGIN));
                    } catch (IllegalStateException e) {
                        errors.add(new ConfigError(setting.key(), e.getMessage(), ""));
                    }
                }
                case REQUIRED -> errors.add(new ConfigError(setting.key(),
                        "required, and not set (expected: a value in the file or in " + setting.envName() + ")", ""));
                case OPTIONAL -> {
                }
            }
        }
    }

    /** A value from one source: absent, present but invalid (value null, errors reported), or present. */
    private record Parsed<T>(boolean present, T value, String origin) {
        static <T> Parsed<T> absent() {
            return new Parsed<>(false, null, "");
        }
    }

    private static <T> Parsed<T> parseNode(Setting<T> setting, YamlSettings.Node node, String origin, List<ConfigError> errors) {
        SettingType.Problems problems = problems(setting, origin, errors);
        return switch (node) {
            case YamlSettings.Empty empty -> Parsed.absent();
            case YamlSettings.EmptyMapping mapping -> {
                problems.report("", "expected " + expected(setting) + ", found a mapping");
                yield new Parsed<>(true, null, origin);
            }
            case YamlSettings.Scalar scalar -> parseText(setting, scalar.text(), origin, errors);
            case YamlSettings.Mappings mappings -> {
                int before = errors.size();
                T value = setting.type().parseMappings(mappings.items(), problems);
                yield new Parsed<>(true, validated(setting, value, problems, errors, before), origin);
            }
            case YamlSettings.Sequence sequence -> {
                int before = errors.size();
                T value = setting.type().parseSequence(sequence.items(), problems);
                yield new Parsed<>(true, validated(setting, value, problems, errors, before), origin);
            }
        };
    }

    private static <T> Parsed<T> parseText(Setting<T> setting, String text, String origin, List<ConfigError> errors) {
        SettingType.Problems problems = problems(setting, origin, errors);
        int before = errors.size();
        T value = setting.type().parse(text, problems);
        return new Parsed<>(true, validated(setting, value, problems, errors, before), origin);
    }

    private static <T> T validated(Setting<T> setting, T value, SettingType.Problems problems, List<ConfigError> errors, int before) {
        if (value == null) return null;
        setting.validate(value, problems);
        return errors.size() == before ? value : null;
    }

    private static SettingType.Problems problems(Setting<?> setting, String origin, List<ConfigError> errors) {
        return (suffix, message) -> errors.add(new ConfigError(setting.key() + suffix, message, origin));
    }

    private static String expected(Setting<?> setting) {
        List<String> allowed = setting.type().allowedValues();
        return allowed.isEmpty() ? SettingType.article(setting.type().name()) : "one of " + allowed;
    }

    private List<String> warnings(Map<String, String> environment, Map<String, HoldfastConfig.Value> values) {
        List<String> warnings = new ArrayList<>();
        List<String> envNames = catalogue.settings().stream().map(Setting::envName).toList();
        environment.keySet().stream().sorted().forEach(name -> {
            if (!name.startsWith(Spelling.ENV_PREFIX) || envNames.contains(name)) return;
            // Other HOLDFAST_ variables exist (HOLDFAST_TOKEN, HOLDFAST_CA_PASSPHRASE), so only near misses are worth a word.
            Spelling.suggest(name, envNames).filter(near -> Spelling.distance(name, near) <= 2).ifPresent(near ->
                    warnings.add(name + " is not a setting and is ignored; did you mean " + near + "?"));
        });
        for (Setting<?> setting : catalogue.settings()) {
            HoldfastConfig.Value value = values.get(setting.key());
            if (setting.type().secret() && value != null && value.value() instanceof Path path && readableByOthers(path)) {
                warnings.add(setting.key() + ": the file can be read by users other than its owner (expected: mode 0600 or 0400)");
            }
        }
        return warnings;
    }

    private static boolean readableByOthers(Path path) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
            return permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // no POSIX permissions to judge (Windows), or the file went away: nothing to warn about
        }
    }

    private static ConfigException fileError(String source, String message) {
        return new ConfigException(List.of(new ConfigError(source, message, "")));
    }
}
