package dev.holdfast.posture.internal;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON to the Java values CEL evaluates: objects to maps, integers to long, other numbers to double; nulls dropped. */
public final class CelValues {
    private CelValues() {
    }

    public static Map<String, Object> map(JsonNode n) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (n == null || !n.isObject()) return m;
        n.fields().forEachRemaining(e -> {
            Object v = value(e.getValue());
            if (v != null && !e.getKey().startsWith("$")) m.put(e.getKey(), v);
        });
        return m;
    }

    static Object value(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        if (n.isObject()) return map(n);
        if (n.isArray()) {
            List<Object> l = new ArrayList<>(n.size());
            for (JsonNode x : n) {
                Object v = value(x);
                if (v != null) l.add(v);
            }
            return l;
        }
        if (n.isBoolean()) return n.booleanValue();
        if (n.isIntegralNumber()) return n.longValue();
        if (n.isNumber()) return n.doubleValue();
        return n.asText();
    }
}
