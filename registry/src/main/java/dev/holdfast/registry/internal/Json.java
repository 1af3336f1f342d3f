package dev.holdfast.registry.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.registry.JsonDocument;


/** JSON for the registry's implementation: one mapper, and reading back what the registry stored. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** Parses JSON this registry wrote (a database column): an object, or {@code {}} for null. */
    static ObjectNode object(String text) {
        if (text == null) return NODES.objectNode();
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n instanceof ObjectNode o) return o;
            throw new IllegalStateException("stored JSON is not an object: " + text.substring(0, Math.min(40, text.length())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not parse: " + e.getOriginalMessage(), e);
        }
    }

    static ArrayNode array(String text) {
        if (text == null) return NODES.arrayNode();
        try {
            JsonNode n = MAPPER.readTree(text);
            if (n instanceof ArrayNode a) return a;
            throw new IllegalStateException("stored JSON is not an array");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON does not parse: " + e.getOriginalMessage(), e);
        }
    }

    static JsonDocument document(String text) {
        return text == null ? JsonDocument.empty() : JsonDocument.parse(text);
    }

}
