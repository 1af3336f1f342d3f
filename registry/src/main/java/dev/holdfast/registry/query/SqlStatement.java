package dev.holdfast.registry.query;

import java.util.List;

/**
 * SQL text with its bind values in order. The text holds no value from the query: literals and
 * member names that are not plain identifiers are among {@link #params()}.
 *
 * @param shape         what each result row holds
 * @param deviceColumns for {@link Shape#ROWS}: the device columns selected, by name
 * @param keyCount      the sort (ROWS) or group (GROUPS) keys, each three columns named
 *                      {@code o<i>r/n/s} or {@code g<i>r/n/s}
 */
record SqlStatement(String sql, List<Object> params, Shape shape, List<String> deviceColumns, int keyCount) {
    SqlStatement {
        params = List.copyOf(params);
        deviceColumns = List.copyOf(deviceColumns);
    }

    enum Shape { ROWS, GROUPS, COUNT }
}
