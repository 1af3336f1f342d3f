package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.math.BigDecimal;

/**
 * One ORDER BY or GROUP BY value as SQL computes it, in three columns that sort the same on both
 * databases: {@code rank} (0 undefined, object or array; 1 null; 2 false; 3 true; 4 number;
 * 5 string), {@code num} (the number, else 0) and {@code str} (the string, else empty).
 */
record SortValue(int rank, BigDecimal num, String str) {
    SortValue {
        if (rank < 0 || rank > 5 || num == null || str == null) {
            throw new IllegalArgumentException("SortValue: rank " + rank + " (expected: 0..5), num and str required");
        }
    }

    /** The JSON value, or {@code null} for rank 0 (nothing to show). */
    JsonNode json() {
        return switch (rank) {
            case 1 -> NullNode.getInstance();
            case 2 -> BooleanNode.FALSE;
            case 3 -> BooleanNode.TRUE;
            case 4 -> JsonValues.normalNumber(num);
            case 5 -> TextNode.valueOf(str);
            default -> null;
        };
    }

    static BigDecimal decimal(Object jdbcNumber) {
        return switch (jdbcNumber) {
            case null -> BigDecimal.ZERO;
            case BigDecimal d -> d;
            case Long l -> BigDecimal.valueOf(l);
            case Integer i -> BigDecimal.valueOf(i);
            case Double d -> new BigDecimal(Double.toString(d));
            case Float f -> new BigDecimal(Float.toString(f));
            case Number n -> new BigDecimal(n.toString());
            default -> throw new IllegalStateException("not a number: " + jdbcNumber.getClass().getName());
        };
    }
}
