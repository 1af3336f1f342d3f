package dev.holdfast.registry.query;

import java.util.ArrayList;
import java.util.List;

/** Builds SQL text and its bind values together, so that each {@code ?} and its value stay in step. */
final class Sql {
    private final StringBuilder text = new StringBuilder();
    private final List<Object> params = new ArrayList<>();

    /** Appends SQL written by the compiler itself: keywords, constant column names, operators. */
    Sql raw(String sql) {
        text.append(sql);
        return this;
    }

    /** Appends {@code ?} and binds {@code value}: a String, Integer, Long, Double or BigDecimal. */
    Sql param(Object value) {
        if (!(value instanceof String || value instanceof Integer || value instanceof Long || value instanceof Double
                || value instanceof java.math.BigDecimal)) {
            throw new IllegalArgumentException("value: " + (value == null ? "null" : value.getClass().getName())
                    + " (expected: String, Integer, Long, Double or BigDecimal)");
        }
        text.append('?');
        params.add(value);
        return this;
    }

    /**
     * Appends {@code 'name'} for a member name that is a plain identifier. Re-checks the name: this
     * and {@link TwinField#column()} are the only ways a name reaches SQL text.
     */
    Sql identifierLiteral(String name) {
        if (!FieldPath.IDENTIFIER.matcher(name).matches()) throw new IllegalStateException("not a plain identifier: " + name);
        text.append('\'').append(name).append('\'');
        return this;
    }

    /** Appends {@code '$.a.b'}, an SQLite JSON path of plain identifiers, each re-checked. */
    Sql sqliteJsonPathLiteral(List<String> keys) {
        StringBuilder path = new StringBuilder("$");
        for (String k : keys) {
            if (!FieldPath.IDENTIFIER.matcher(k).matches()) throw new IllegalStateException("not a plain identifier: " + k);
            path.append('.').append(k);
        }
        text.append('\'').append(path).append('\'');
        return this;
    }

    /** Appends another builder's text and values. */
    Sql append(Sql other) {
        text.append(other.text);
        params.addAll(other.params);
        return this;
    }

    List<Object> params() {
        return params;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
