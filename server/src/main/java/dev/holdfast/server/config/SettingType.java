package dev.holdfast.server.config;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type of a setting's value: how it is written in the YAML file and in an environment variable, how
 * it is checked, and how it is named in the reference documentation.
 *
 * <p>Every type reads the same text from both sources, so {@code port: 8443} in the file and
 * {@code HOLDFAST_SERVER_HTTPS_PORT=8443} mean the same. The set of types is closed; the catalogue in
 * {@link Settings} is built from the constants and factories here.
 *
 * @param <T> the Java type a {@link HoldfastConfig} returns for settings of this type (always immutable)
 */
public abstract sealed class SettingType<T> {
    /** Whole numbers from -2<sup>31</sup> to 2<sup>31</sup>-1; written in decimal, without separators. */
    static final SettingType<Integer> INTEGER = new IntegerType();
    /** Whole numbers from -2<sup>63</sup> to 2<sup>63</sup>-1; written in decimal, without separators. */
    static final SettingType<Long> LONG = new LongType();
    /** Decimal numbers such as {@code 0.6667}; no exponents, infinities or NaN. */
    static final SettingType<Double> DECIMAL = new DecimalType();
    /** {@code true} or {@code false}; YAML 1.1's {@code yes}, {@code on} and friends are refused as ambiguous. */
    static final SettingType<Boolean> BOOLEAN = new BooleanType();
    /** Any non-empty text. */
    static final SettingType<String> STRING = new StringType();
    /** A DNS name (RFC 1123 syntax, no wildcard) or an IPv4 or IPv6 address literal; never looked up. */
    static final SettingType<String> HOST = new HostType();
    /** A file system path, not checked; relative paths are relative to the working directory. */
    static final SettingType<Path> PATH = new PathType("path", "paths", false, false);
    /** A path to a regular file that must exist and be readable when the configuration is loaded. */
    static final SettingType<Path> FILE = new PathType("file", "files", true, false);
    /**
     * A path to a readable file holding a secret (a password, PIN or passphrase). The value is shown as
     * {@code ****} everywhere, and errors never echo it: the commonest mistake is pasting the secret itself.
     */
    static final SettingType<Path> SECRET_FILE = new PathType("secret file", "secret files", true, true);
    /** A non-negative duration, {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}, {@code 1h30m} or ISO-8601 {@code PT5M}. */
    static final SettingType<Duration> DURATION = new DurationType();

    private final String name;
    private final String pluralName;
    private final Comparator<? super T> order;

    private SettingType(String name, String pluralName, Comparator<? super T> order) {
        this.name = name;
        this.pluralName = pluralName;
        this.order = order;
    }

    /** A list whose elements have {@code element}'s type: a YAML sequence, or one comma-separated string. */
    static <E> SettingType<List<E>> list(SettingType<E> element) {
        return new ListType<>(element);
    }

    /**
     * One of an enum's constants, matched ignoring case and written as {@code spelling} gives it, so a
     * configuration can say {@code pkcs12} for {@code KeyBackend.PKCS12}.
     */
    static <E extends Enum<E>> SettingType<E> enumeration(Class<E> type, Function<E, String> spelling) {
        return new EnumType<>(type, spelling);
    }

    /** The type's name as the reference documentation uses it: {@code integer}, {@code duration}. */
    public String name() {
        return name;
    }

    /** Whether values are secret and therefore shown as {@code ****}. */
    public boolean secret() {
        return false;
    }

    /** The values an enumeration accepts, as written in a configuration; empty for other types. */
    public List<String> allowedValues() {
        return List.of();
    }

    /** {@code value} as it would be written in a configuration file (secret or not). */
    public abstract String format(T value);

    String pluralName() {
        return pluralName;
    }

    /** The order {@code min} and {@code max} compare in, or null when values are not ordered. */
    Comparator<? super T> order() {
        return order;
    }

    /** Parses one scalar; {@code text} is stripped and not empty. Returns null after reporting a problem. */
    abstract T parse(String text, Problems problems);

    /** Parses a YAML sequence; only lists accept one. Elements are null where the sequence had an empty one. */
    T parseSequence(List<String> items, Problems problems) {
        problems.report("", "expected " + article(name) + ", found a list");
        return null;
    }

    /** Parses a YAML sequence of mappings; only lists of objects accept one. */
    T parseMappings(List<YamlSettings.Item> items, Problems problems) {
        problems.report("", "expected " + article(name) + ", found a list of mappings");
        return null;
    }

    /**
     * A list of objects, each a YAML mapping that {@code reader} turns into an {@code E} (an exporter, an
     * alert rule). In an environment variable the list is written as a JSON array of objects.
     */
    static <E> SettingType<List<E>> objects(String name, String pluralName, ObjectReader<E> reader) {
        return new ObjectListType<>(name, pluralName, reader);
    }

    /** Checks a parsed value against the world outside the text, such as the file system. */
    void validate(T value, Problems problems) {
    }

    /** Text echoed in an error message; a secret type never echoes what it was given. */
    String echo(String text) {
        return secret() ? "the value" : Spelling.quote(text);
    }

    static String article(String noun) {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    /** Where parsing reports what is wrong; {@code suffix} extends the setting's path, as in {@code [2]}. */
    @FunctionalInterface
    interface Problems {
        void report(String suffix, String message);
    }

    private static final Pattern WHOLE = Pattern.compile("[+-]?[0-9]+");

    private static final class IntegerType extends SettingType<Integer> {
        IntegerType() {
            super("integer", "integers", Comparator.naturalOrder());
        }

        @Override
        Integer parse(String text, Problems problems) {
            if (WHOLE.matcher(text).matches()) {
                try {
                    return Integer.valueOf(text);
                } catch (NumberFormatException tooLarge) {
                    problems.report("", text + " is out of range for an integer");
                    return null;
                }
            }
            problems.report("", echo(text) + " is not an integer");
            return null;
        }

        @Override
        public String format(Integer value) {
            return value.toString();
        }
    }

    private static final class LongType extends SettingType<Long> {
        LongType() {
            super("integer", "integers", Comparator.naturalOrder());
        }

        @Override
        Long parse(String text, Problems problems) {
            if (WHOLE.matcher(text).matches()) {
                try {
                    return Long.valueOf(text);
                } catch (NumberFormatException tooLarge) {
                    problems.report("", text + " is out of range for an integer");
                    return null;
                }
            }
            problems.report("", echo(text) + " is not an integer");
            return null;
        }

        @Override
        public String format(Long value) {
            return value.toString();
        }
    }

    private static final class DecimalType extends SettingType<Double> {
        private static final Pattern DECIMAL_TEXT = Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)");

        DecimalType() {
            super("decimal number", "decimal numbers", Comparator.naturalOrder());
        }

        @Override
        Double parse(String text, Problems problems) {
            if (DECIMAL_TEXT.matcher(text).matches()) {
                double value = Double.parseDouble(text);
                if (Double.isFinite(value)) return value;
            }
            problems.report("", echo(text) + " is not a decimal number");
            return null;
        }

        /** Parsed values passed already; this catches values set in code. */
        @Override
        void validate(Double value, Problems problems) {
            if (!Double.isFinite(value)) problems.report("", value + " is not a decimal number");
        }

        @Override
        public String format(Double value) {
            return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
        }
    }

    private static final class BooleanType extends SettingType<Boolean> {
        BooleanType() {
            super("boolean", "booleans", null);
        }

        @Override
        Boolean parse(String text, Problems problems) {
            if (text.equalsIgnoreCase("true")) return Boolean.TRUE;
            if (text.equalsIgnoreCase("false")) return Boolean.FALSE;
            problems.report("", echo(text) + " is not a boolean (expected: true or false)");
            return null;
        }

        @Override
        public String format(Boolean value) {
            return value.toString();
        }
    }

    private static final class StringType extends SettingType<String> {
        StringType() {
            super("string", "strings", null);
        }

        @Override
        String parse(String text, Problems problems) {
            return text;
        }

        @Override
        void validate(String value, Problems problems) {
            if (value.isBlank()) problems.report("", "empty text (expected: a value, or the setting left out)");
        }

        @Override
        public String format(String value) {
            return value;
        }
    }

    private static final class HostType extends SettingType<String> {
        private static final Pattern IPV4 = Pattern.compile(
                "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
        private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9A-Fa-f:.]+");
        private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
        private static final Pattern NUMERIC = Pattern.compile("[0-9]+");

        HostType() {
            super("host name or IP address", "host names or IP addresses", null);
        }

        @Override
        String parse(String text, Problems problems) {
            if (isIpLiteral(text) || isDnsName(text)) return text;
            problems.report("", echo(text) + " is not a host name or IP address");
            return null;
        }

        /** Parsed values passed already; this catches values set in code. */
        @Override
        void validate(String value, Problems problems) {
            if (!isIpLiteral(value) && !isDnsName(value)) problems.report("", echo(value) + " is not a host name or IP address");
        }

        private static boolean isIpLiteral(String text) {
            if (IPV4.matcher(text).matches()) return true;
            // A string with a colon is parsed as an IPv6 literal by InetAddress and never resolved.
            if (!text.contains(":") || !IPV6_CHARACTERS.matcher(text).matches()) return false;
            try {
                InetAddress.getByName(text);
                return true;
            } catch (UnknownHostException notALiteral) {
                return false;
            }
        }

        /** RFC 1123 §2.1 host name syntax; an all-numeric last label would read as a mistyped IPv4 address. */
        private static boolean isDnsName(String text) {
            if (text.length() > 253) return false;
            String[] labels = text.split("\\.", -1);
            for (String label : labels) {
                if (!LABEL.matcher(label).matches()) return false;
            }
            return !NUMERIC.matcher(labels[labels.length - 1]).matches();
        }

        @Override
        public String format(String value) {
            return value;
        }
    }

    private static final class PathType extends SettingType<Path> {
        private final boolean mustBeReadableFile;
        private final boolean secret;

        PathType(String name, String pluralName, boolean mustBeReadableFile, boolean secret) {
            super(name, pluralName, null);
            this.mustBeReadableFile = mustBeReadableFile;
            this.secret = secret;
        }

        @Override
        public boolean secret() {
            return secret;
        }

        @Override
        Path parse(String text, Problems problems) {
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                problems.report("", echo(text) + " is not a valid path");
                return null;
            }
        }

        @Override
        void validate(Path value, Problems problems) {
            if (!mustBeReadableFile) return;
            if (!Files.isRegularFile(value)) {
                problems.report("", (secret ? "the file" : value.toString()) + " does not exist or is not a regular file");
            } else if (!Files.isReadable(value)) {
                problems.report("", (secret ? "the file" : value.toString()) + " is not readable");
            }
        }

        @Override
        public String format(Path value) {
            return value.toString();
        }
    }

    private static final class DurationType extends SettingType<Duration> {
        private static final Pattern SHORT = Pattern.compile("([0-9]+)(ms|s|m|h|d)");
        private static final Pattern SHORT_SEQUENCE = Pattern.compile("([0-9]+(ms|s|m|h|d))+");
        private static final Pattern ISO_WITH_DATE_UNITS = Pattern.compile("(?i)[+-]?P([0-9]+[YMW])+.*");
        private static final String EXPECTED =
                " (expected: a number and a unit, ms, s, m, h or d, such as 30s or 7d, or ISO-8601 such as PT5M)";

        DurationType() {
            super("duration", "durations", Comparator.naturalOrder());
        }

        @Override
        Duration parse(String text, Problems problems) {
            Duration value = text.startsWith("P") || text.startsWith("p") || text.startsWith("-P") || text.startsWith("+P")
                    ? parseIso(text, problems)
                    : parseShort(text, problems);
            if (value != null && value.isNegative()) {
                problems.report("", echo(text) + " is negative (expected: a duration of zero or more)");
                return null;
            }
            return value;
        }

        private Duration parseIso(String text, Problems problems) {
            try {
                return Duration.parse(text);
            } catch (DateTimeParseException e) {
                if (ISO_WITH_DATE_UNITS.matcher(text).matches()) {
                    problems.report("", echo(text) + " is not a duration: years, months and weeks have no fixed length"
                            + " (expected: days, such as 7300d or P7300D)");
                } else {
                    problems.report("", echo(text) + " is not a duration" + EXPECTED);
                }
                return null;
            }
        }

        private Duration parseShort(String text, Problems problems) {
            if (!SHORT_SEQUENCE.matcher(text).matches()) {
                problems.report("", echo(text) + " is not a duration" + EXPECTED);
                return null;
            }
            try {
                long millis = 0;
                Matcher part = SHORT.matcher(text);
                while (part.find()) {
                    long unit = switch (part.group(2)) {
                        case "ms" -> 1L;
                        case "s" -> 1_000L;
                        case "m" -> 60_000L;
                        case "h" -> 3_600_000L;
                        default -> 86_400_000L;
                    };
                    millis = Math.addExact(millis, Math.multiplyExact(Long.parseLong(part.group(1)), unit));
                }
                return Duration.ofMillis(millis);
            } catch (ArithmeticException | NumberFormatException tooLong) {
                problems.report("", echo(text) + " is too long for a duration");
                return null;
            }
        }

        /** Parsed values passed already; this catches values set in code. */
        @Override
        void validate(Duration value, Problems problems) {
            if (value.isNegative()) problems.report("", value + " is negative (expected: a duration of zero or more)");
        }

        /** The shortest exact short form: {@code 7d} rather than {@code 168h}; ISO-8601 below a millisecond. */
        @Override
        public String format(Duration value) {
            if (value.isZero()) return "0s";
            if (value.isNegative() || value.getNano() % 1_000_000 != 0) return value.toString();
            long millis;
            try {
                millis = value.toMillis();
            } catch (ArithmeticException tooLong) {
                return value.toString();
            }
            long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
            String[] units = {"d", "h", "m", "s", "ms"};
            for (int i = 0; i < sizes.length; i++) {
                if (millis % sizes[i] == 0) return (millis / sizes[i]) + units[i];
            }
            throw new AssertionError("every whole number of milliseconds is divisible by one");
        }
    }

    private static final class ListType<E> extends SettingType<List<E>> {
        private final SettingType<E> element;

        ListType(SettingType<E> element) {
            super("list of " + element.pluralName(), "lists", null);
            if (element instanceof ListType<?>) throw new IllegalArgumentException("element: a list (expected: a scalar type)");
            this.element = element;
        }

        @Override
        public boolean secret() {
            return element.secret();
        }

        /** One string: comma-separated elements, the only form an environment variable can carry. */
        @Override
        List<E> parse(String text, Problems problems) {
            List<String> items = new ArrayList<>();
            for (String item : text.split(",")) {
                if (!item.isBlank()) items.add(item.strip());
            }
            return parseItems(items, problems);
        }

        @Override
        List<E> parseSequence(List<String> items, Problems problems) {
            return parseItems(items, problems);
        }

        private List<E> parseItems(List<String> items, Problems problems) {
            List<E> values = new ArrayList<>(items.size());
            boolean failed = false;
            for (int i = 0; i < items.size(); i++) {
                String index = "[" + i + "]";
                String item = items.get(i);
                if (item == null || item.isBlank()) {
                    problems.report(index, "empty list element");
                    failed = true;
                    continue;
                }
                E value = element.parse(item.strip(), (suffix, message) -> problems.report(index + suffix, message));
                if (value == null) {
                    failed = true;
                } else {
                    values.add(value);
                }
            }
            return failed ? null : List.copyOf(values);
        }

        @Override
        void validate(List<E> value, Problems problems) {
            for (int i = 0; i < value.size(); i++) {
                String index = "[" + i + "]";
                element.validate(value.get(i), (suffix, message) -> problems.report(index + suffix, message));
            }
        }

        @Override
        public String format(List<E> value) {
            List<String> parts = new ArrayList<>(value.size());
            for (E e : value) parts.add(element.format(e));
            return String.join(", ", parts);
        }
    }

    private static final class ObjectListType<E> extends SettingType<List<E>> {
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
        private final ObjectReader<E> reader;

        ObjectListType(String name, String pluralName, ObjectReader<E> reader) {
            super("list of " + pluralName, "lists of " + pluralName, null);
            this.reader = Objects.requireNonNull(reader, "reader");
        }

        /** The environment's form: a JSON array of objects. */
        @Override
        List<E> parse(String text, Problems problems) {
            com.fasterxml.jackson.databind.JsonNode array;
            try {
                array = JSON.readTree(text);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                problems.report("", "is not a JSON array of objects (" + e.getOriginalMessage() + ")");
                return null;
            }
            if (array == null || !array.isArray()) {
                problems.report("", "is not a JSON array of objects");
                return null;
            }
            List<YamlSettings.Item> items = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                if (!array.get(i).isObject()) {
                    problems.report("[" + i + "]", "expected an object");
                    return null;
                }
                java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
                flatten(array.get(i), "", fields);
                items.add(new YamlSettings.Item(0, fields));
            }
            return parseMappings(items, problems);
        }

        private static void flatten(com.fasterxml.jackson.databind.JsonNode node, String prefix, java.util.Map<String, Object> out) {
            node.properties().forEach(e -> {
                String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                com.fasterxml.jackson.databind.JsonNode v = e.getValue();
                if (v.isObject()) {
                    flatten(v, key, out);
                } else if (v.isArray()) {
                    List<String> list = new ArrayList<>();
                    v.forEach(x -> list.add(x.isValueNode() && !x.isNull() && !x.asText().isBlank() ? x.asText().strip() : null));
                    out.put(key, list);
                } else {
                    out.put(key, v.isNull() || v.asText().isBlank() ? null : v.asText().strip());
                }
            });
        }

        @Override
        List<E> parseMappings(List<YamlSettings.Item> items, Problems problems) {
            List<E> values = new ArrayList<>(items.size());
            boolean failed = false;
            for (int i = 0; i < items.size(); i++) {
                String index = "[" + i + "]";
                boolean[] bad = {false};
                ObjectFields fields = new ObjectFields(items.get(i).fields(), (suffix, message) -> {
                    bad[0] = true;
                    problems.report(index + suffix, message);
                });
                E value = reader.read(fields);
                fields.reportUnknown();
                if (value == null || bad[0]) failed = true;
                else values.add(value);
            }
            return failed ? null : List.copyOf(values);
        }

        @Override
        public String format(List<E> value) {
            return value.isEmpty() ? "[]" : value.size() + " " + (value.size() == 1 ? "entry" : "entries");
        }
    }

    private static final class EnumType<E extends Enum<E>> extends SettingType<E> {
        private final Class<E> type;
        private final Function<E, String> spelling;

        EnumType(Class<E> type, Function<E, String> spelling) {
            super("enum", "enums", null);
            this.type = Objects.requireNonNull(type, "type");
            this.spelling = Objects.requireNonNull(spelling, "spelling");
        }

        @Override
        public List<String> allowedValues() {
            return Arrays.stream(type.getEnumConstants()).map(spelling).toList();
        }

        @Override
        E parse(String text, Problems problems) {
            for (E constant : type.getEnumConstants()) {
                if (spelling.apply(constant).equalsIgnoreCase(text)) return constant;
            }
            problems.report("", echo(text) + " is not one of " + allowedValues());
            return null;
        }

        @Override
        public String format(E value) {
            return spelling.apply(value);
        }
    }

    /** Length of {@code text} in UTF-8, for limits that a specification sets in bytes. */
    static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String toString() {
        return name;
    }
}
