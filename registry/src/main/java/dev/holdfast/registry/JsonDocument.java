package dev.holdfast.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * An immutable JSON object: tags, desired or reported properties, their metadata, or a merge patch.
 * A node given in is copied and every node handed out is a copy, so a document never changes after it
 * is made. Equality is JSON equality (member order does not matter). The compact text is computed once.
 */
public final class JsonDocument {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonDocument EMPTY = new JsonDocument(JsonNodeFactory.instance.objectNode());

    private final ObjectNode node;
    private volatile String text;

    private JsonDocument(ObjectNode owned) {
        this.node = owned;
    }

    public static JsonDocument empty() {
        return EMPTY;
    }

    /** A copy of {@code node}. */
    public static JsonDocument of(ObjectNode node) {
        if (node == null) throw new IllegalArgumentException("node: null (expected: a JSON object)");
        return new JsonDocument(node.deepCopy());
    }

    /** Takes a node this package built and no one else holds, without copying it. */
    static JsonDocument adopt(ObjectNode node) {
        return new JsonDocument(node);
    }

    /**
     * Parses JSON text that must be an object. For trusted text (our own database, tests); untrusted
     * bodies go through the REST layer's parser, which refuses with a problem.
     */
    public static JsonDocument parse(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            if (n == null || !n.isObject()) throw new IllegalArgumentException("json: not a JSON object: " + RegistryLimits.excerpt(json));
            return new JsonDocument((ObjectNode) n);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("json: not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A copy of the object, to read or to change freely. */
    public ObjectNode toNode() {
        return node.deepCopy();
    }

    /** The member {@code name}, copied, or null. */
    public JsonNode get(String name) {
        JsonNode v = node.get(name);
        return v == null ? null : v.deepCopy();
    }

    public boolean isEmpty() {
        return node.isEmpty();
    }

    /** The number of members. */
    public int size() {
        return node.size();
    }

    /** The node itself, for this package's code, which only reads it. */
    ObjectNode node() {
        return node;
    }

    /**
     * This document with {@code patch} applied as a JSON merge patch (RFC 7386 §2): a member whose
     * value is null is removed, an object value is merged recursively, anything else replaces the
     * member. This document is unchanged.
     */
    public JsonDocument merge(JsonDocument patch) {
        ObjectNode result = node.deepCopy();
        mergeInto(result, patch.node);
        return new JsonDocument(result);
    }

    private static void mergeInto(ObjectNode target, ObjectNode patch) {
        Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode value = e.getValue();
            if (value.isNull()) {
                target.remove(e.getKey());
            } else if (value.isObject()) {
                JsonNode current = target.get(e.getKey());
                ObjectNode child = current instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
                mergeInto(child, (ObjectNode) value);
                target.set(e.getKey(), child);
            } else {
                target.set(e.getKey(), value.deepCopy());
            }
        }
    }

    /** Compact JSON text. */
    public String json() {
        String t = text;
        if (t == null) {
            try {
                t = JSON.writeValueAsString(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write JSON", e);
            }
            text = t;
        }
        return t;
    }

    /** Size of {@link #json()} in UTF-8 bytes: what the limits of {@link RegistryLimits} measure. */
    public int byteSize() {
        return json().getBytes(StandardCharsets.UTF_8).length;
    }

    /** JSON equality: numbers by value ({@code 1} equals {@code 1.0}), objects regardless of member order. */
    @Override
    public boolean equals(Object o) {
        return o instanceof JsonDocument d && (d == this || node.equals(NUMBERS_BY_VALUE, d.node));
    }

    @Override
    public int hashCode() {
        return node.size(); // consistent with equals, whose number comparison node hash codes do not follow
    }

    private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) return a.decimalValue().compareTo(b.decimalValue());
        return a.equals(b) ? 0 : 1;
    };

    @Override
    public String toString() {
        return json();
    }
}
