package dev.holdfast.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a YAML configuration file into flat entries, one per value, each with its dotted path and line.
 *
 * <p>Nesting and dotted keys are interchangeable: {@code server: {https: {port: 1}}} and
 * {@code server.https.port: 1} both give the entry {@code server.https.port}. The reader knows nothing of
 * the catalogue; the loader decides which paths are settings. It reads with Jackson's streaming parser
 * rather than a tree so that every value keeps its line, and it never lets an exception escape: malformed
 * YAML becomes one error with the line and column where the parser gave up.
 */
final class YamlSettings {
    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

    private YamlSettings() {
    }

    /** A value in the file. */
    sealed interface Node permits Scalar, Sequence, Empty, EmptyMapping, Mappings {
    }

    /**
     * A sequence of mappings, such as the list of exporters. Each item's keys are flattened to dotted
     * paths like the top level ({@code tls: {caFile: x}} gives {@code tls.caFile}); a value is a
     * String, a List of Strings (elements null where empty), or null when empty.
     */
    record Mappings(List<Item> items) implements Node {
    }

    /** One mapping of a {@link Mappings} sequence, with the line it starts on. */
    record Item(int line, Map<String, Object> fields) {
    }

    /** A plain or quoted scalar, as text; YAML's own typing ({@code 8443} as a number) is ignored. */
    record Scalar(String text) implements Node {
    }

    /** A sequence of scalars; an element is null where the sequence had an empty one. */
    record Sequence(List<String> items) implements Node {
    }

    /** {@code ~}, {@code null}, or nothing after the colon: the same as not setting the key. */
    record Empty() implements Node {
    }

    /** {@code {}}: nothing under a section, or a mapping where a value was expected. */
    record EmptyMapping() implements Node {
    }

    record Entry(String path, Node node, int line) {
    }

    /** The entries, or (when the file is not usable YAML) none, and what was wrong. */
    record Result(List<Entry> entries, List<ConfigError> errors) {
    }

    static Result read(String yaml, String source) {
        Reader reader = new Reader(source);
        try (JsonParser parser = FACTORY.createParser(yaml)) {
            JsonToken first = parser.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL
                    || first == JsonToken.VALUE_STRING && parser.getText().isBlank()) {
                return reader.result(); // no settings at all, or a document marker alone
            }
            if (first != JsonToken.START_OBJECT) {
                reader.errors.add(new ConfigError(source, "expected a mapping of settings at the top level, found "
                        + describe(first), at(source, parser)));
                return new Result(List.of(), reader.errors);
            }
            reader.readMapping(parser, "");
            for (JsonToken next = parser.nextToken(); next != null; next = parser.nextToken()) {
                // A trailing "---" opens an empty document, which holds nothing that could be lost.
                if (next == JsonToken.VALUE_NULL || next == JsonToken.VALUE_STRING && parser.getText().isBlank()) continue;
                reader.errors.add(new ConfigError(source, "a second YAML document starts at line " + line(parser)
                        + " (expected: one document with every setting)", ""));
                break;
            }
            return reader.result();
        } catch (JsonProcessingException e) {
            return new Result(List.of(), List.of(new ConfigError(source, malformed(e), "")));
        } catch (IOException | RuntimeException e) {
            // Anything else the YAML parser throws is still a property of the input, not a bug to crash on.
            return new Result(List.of(), List.of(new ConfigError(source, "malformed YAML: " + firstLine(e.getMessage()), "")));
        }
    }

    private static final class Reader {
        private final String source;
        private final List<Entry> entries = new ArrayList<>();
        private final List<ConfigError> errors = new ArrayList<>();
        private final Map<String, Integer> firstLine = new HashMap<>();

        Reader(String source) {
            this.source = source;
        }

        Result result() {
            return new Result(List.copyOf(entries), List.copyOf(errors));
        }

        /** Reads the fields of a mapping whose START_OBJECT is the current token, up to its END_OBJECT. */
        void readMapping(JsonParser parser, String prefix) throws IOException {
            boolean empty = true;
            int startLine = line(parser);
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                empty = false;
                String path = prefix.isEmpty() ? segment(parser.currentName()) : prefix + "." + segment(parser.currentName());
                JsonToken value = parser.nextToken();
                int valueLine = line(parser);
                switch (value) {
                    case START_OBJECT -> readMapping(parser, path);
                    case START_ARRAY -> readSequence(parser, path, valueLine);
                    case VALUE_NULL -> add(path, new Empty(), valueLine);
                    case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
                        if (isAlias(parser)) {
                            aliasError(path, valueLine);
                        } else {
                            String text = parser.getText();
                            add(path, text.isBlank() ? new Empty() : new Scalar(text.strip()), valueLine);
                        }
                    }
                    default -> errors.add(new ConfigError(path, "expected a plain value, found " + describe(value),
                            source + " line " + valueLine));
                }
            }
            if (token != JsonToken.END_OBJECT) throw new IllegalStateException("unexpected " + token + " in a mapping");
            if (empty && !prefix.isEmpty()) add(prefix, new EmptyMapping(), startLine);
        }

        void readSequence(JsonParser parser, String path, int startLine) throws IOException {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_OBJECT) {
                readMappings(parser, path, startLine);
                return;
            }
            List<String> items = new ArrayList<>();
            boolean failed = false;
            for (JsonToken token = first; token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                String element = path + "[" + items.size() + "]";
                int itemLine = line(parser);
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    errors.add(new ConfigError(element, "expected a plain value, found " + describe(token),
                            source + " line " + itemLine));
                    parser.skipChildren();
                    failed = true;
                    items.add(null);
                } else if (isAlias(parser)) {
                    aliasError(element, itemLine);
                    failed = true;
                    items.add(null);
                } else if (token == JsonToken.VALUE_NULL) {
                    items.add(null);
                } else {
                    String text = parser.getText();
                    items.add(text.isBlank() ? null : text.strip());
                }
            }
            // A list with an element that already has an error is left out, so it is not reported twice.
            if (!failed) add(path, new Sequence(Collections.unmodifiableList(items)), startLine);
        }

        /** A sequence whose first element (the current token) is a mapping: every element must be one. */
        void readMappings(JsonParser parser, String path, int startLine) throws IOException {
            List<Item> items = new ArrayList<>();
            boolean failed = false;
            for (JsonToken token = parser.currentToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                String element = path + "[" + items.size() + "]";
                int itemLine = line(parser);
                Map<String, Object> fields = new java.util.LinkedHashMap<>();
                if (token != JsonToken.START_OBJECT) {
                    errors.add(new ConfigError(element, "expected a mapping like the other elements, found " + describe(token),
                            source + " line " + itemLine));
                    if (token == JsonToken.START_ARRAY) parser.skipChildren();
                    failed = true;
                } else if (!readItem(parser, element, "", fields)) {
                    failed = true;
                }
                items.add(new Item(itemLine, Collections.unmodifiableMap(fields)));
            }
            if (!failed) add(path, new Mappings(List.copyOf(items)), startLine);
        }

        /** Reads one mapping of a {@link Mappings} sequence into {@code fields}; false after reporting an error. */
        private boolean readItem(JsonParser parser, String element, String prefix, Map<String, Object> fields) throws IOException {
            boolean ok = true;
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String key = prefix.isEmpty() ? segment(parser.currentName()) : prefix + "." + segment(parser.currentName());
                JsonToken value = parser.nextToken();
                int valueLine = line(parser);
                String where = element + "." + key;
                if (fields.containsKey(key)) {
                    errors.add(new ConfigError(where, "set twice (expected: once)", source + " line " + valueLine));
                    parser.skipChildren();
                    ok = false;
                    continue;
                }
                switch (value) {
                    case START_OBJECT -> ok &= readItem(parser, element, key, fields);
                    case START_ARRAY -> {
                        List<String> list = new ArrayList<>();
                        JsonToken t;
                        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
                            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                                errors.add(new ConfigError(where + "[" + list.size() + "]", "expected a plain value, found " + describe(t),
                                        source + " line " + line(parser)));
                                parser.skipChildren();
                                ok = false;
                                list.add(null);
                            } else if (isAlias(parser)) {
                                aliasError(where, line(parser));
                                ok = false;
                                list.add(null);
                            } else {
                                String text = t == JsonToken.VALUE_NULL ? "" : parser.getText();
                                list.add(text.isBlank() ? null : text.strip());
                            }
                        }
                        fields.put(key, Collections.unmodifiableList(list));
                    }
                    case VALUE_NULL -> fields.put(key, null);
                    case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
                        if (isAlias(parser)) {
                            aliasError(where, valueLine);
                            ok = false;
                        } else {
                            String text = parser.getText();
                            fields.put(key, text.isBlank() ? null : text.strip());
                        }
                    }
                    default -> {
                        errors.add(new ConfigError(where, "expected a plain value, found " + describe(value), source + " line " + valueLine));
                        ok = false;
                    }
                }
            }
            if (token != JsonToken.END_OBJECT) throw new IllegalStateException("unexpected " + token + " in a mapping");
            return ok;
        }

        private void add(String path, Node node, int line) {
            Integer earlier = firstLine.putIfAbsent(path, line);
            if (earlier != null) {
                String where = earlier == line ? "set twice on line " + line : "set twice, at lines " + earlier + " and " + line;
                errors.add(new ConfigError(path, where + " (expected: once, nested or dotted)", source + " line " + line));
                return;
            }
            entries.add(new Entry(path, node, line));
        }

        private void aliasError(String path, int line) {
            errors.add(new ConfigError(path, "YAML aliases are not supported (expected: the value written out)",
                    source + " line " + line));
        }
    }

    private static boolean isAlias(JsonParser parser) {
        return parser instanceof YAMLParser yaml && yaml.isCurrentAlias();
    }

    /** A key as it appears in a path; a key with control characters is quoted so it cannot forge log lines. */
    private static String segment(String name) {
        if (name.isEmpty()) return Spelling.quote(name);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) return Spelling.quote(name);
        }
        return name;
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "a mapping";
            case START_ARRAY -> "a list";
            case VALUE_EMBEDDED_OBJECT -> "binary data";
            default -> "a plain value";
        };
    }

    private static int line(JsonParser parser) {
        return parser.currentTokenLocation().getLineNr();
    }

    private static String at(String source, JsonParser parser) {
        return source + " line " + line(parser);
    }

    /**
     * The parser's complaint in one line: SnakeYAML's problem and where it was found, and what it was
     * parsing when that is somewhere else. Jackson's own message repeats the source line with a caret,
     * which reads well on a terminal but not as a log line.
     */
    private static String malformed(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                StringBuilder out = new StringBuilder("malformed YAML at ").append(position(marked.getProblemMark()))
                        .append(": ").append(firstLine(marked.getProblem()));
                Mark contextMark = marked.getContextMark();
                if (marked.getContext() != null && contextMark != null
                        && contextMark.getLine() != marked.getProblemMark().getLine()) {
                    out.append(" (").append(firstLine(marked.getContext())).append(" that starts at ")
                            .append(position(contextMark)).append(')');
                }
                return out.toString();
            }
        }
        JsonLocation location = e.getLocation();
        String where = location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        String problem = firstLine(e.getOriginalMessage());
        // Jackson's wording names SnakeYAML's event classes; a complex key ("? - a") is the only way to get there.
        if (problem.startsWith("Expected a field name")) problem = "expected a plain key (complex keys are not supported)";
        return "malformed YAML" + where + ": " + problem;
    }

    private static String position(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static String firstLine(String message) {
        if (message == null || message.isBlank()) return "unreadable input";
        String line = message.strip().lines().findFirst().orElse("").strip();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
