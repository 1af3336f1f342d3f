package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Makes JSON comparable across databases: PostgreSQL's JSONB keeps {@code 2.0} and SQLite's text
 * keeps what was written, so numbers become their value ({@code 2.0} and {@code 2} are one number);
 * member order never mattered to Jackson's equality.
 */
final class JsonComparison {
    private JsonComparison() {
    }

    static JsonNode normalize(JsonNode n) {
        if (n == null) return null;
        if (n.isNumber()) {
            BigDecimal d = n.isIntegralNumber() ? new BigDecimal(n.bigIntegerValue())
                    : n.isBigDecimal() ? n.decimalValue() : new BigDecimal(Double.toString(n.doubleValue()));
            d = d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
            return JsonNodeFactory.instance.numberNode(d);
        }
        if (n.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            for (JsonNode x : n) a.add(normalize(x));
            return a;
        }
        if (n.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> e : n.properties()) o.set(e.getKey(), normalize(e.getValue()));
            return o;
        }
        return n;
    }

    /** Same rows in the same order, numbers compared by value. */
    static boolean sameRows(List<JsonNode> a, List<JsonNode> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).equals(NUMBERS_BY_VALUE, b.get(i))) return false;
        }
        return true;
    }

    private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (x, y) -> {
        if (x.isNumber() && y.isNumber()) return normalize(x).equals(normalize(y)) ? 0 : 1;
        return x.equals(y) ? 0 : 1;
    };

    static JsonNode normalize(List<JsonNode> rows) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (JsonNode r : rows) a.add(normalize(r));
        return a;
    }
}
