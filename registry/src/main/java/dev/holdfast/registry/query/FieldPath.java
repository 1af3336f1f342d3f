package dev.holdfast.registry.query;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A path into the device twin: a {@link TwinField} and, for the JSON documents (tags, desired and
 * reported properties, capabilities, health reasons), member names below it. {@code tags.site} is
 * {@code (TAGS, [site])}; {@code properties.reported['fw version'].major} is
 * {@code (REPORTED, [fw version, major])}.
 */
record FieldPath(TwinField field, List<String> keys) {
    /** Member names written without brackets; the only ones the compiler may write into SQL text. */
    static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    FieldPath {
        keys = List.copyOf(keys);
        if (!keys.isEmpty() && !field.isDocument()) {
            throw new IllegalArgumentException("keys: " + keys + " (expected: none for " + field.path() + ")");
        }
    }

    static FieldPath of(TwinField field, String... keys) {
        return new FieldPath(field, List.of(keys));
    }

    /** True when every member name is an {@link #IDENTIFIER}, so the path may be written into SQL text. */
    boolean isPlain() {
        for (String k : keys) {
            if (!IDENTIFIER.matcher(k).matches()) return false;
        }
        return true;
    }

    /** Member names from the twin's root: {@code [properties, reported, fw, version]}. */
    List<String> twinPath() {
        List<String> all = new ArrayList<>(field.twinPath());
        all.addAll(keys);
        return all;
    }

    /** The name of a projected column when the query gives none: the last member name. */
    String defaultName() {
        List<String> all = twinPath();
        return all.get(all.size() - 1);
    }

    /** The path as a query would write it, with brackets where a name needs them. */
    String text() {
        StringBuilder sb = new StringBuilder(field.path());
        for (String k : keys) {
            if (IDENTIFIER.matcher(k).matches()) sb.append('.').append(k);
            else sb.append("['").append(k.replace("'", "''")).append("']");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return text();
    }
}
