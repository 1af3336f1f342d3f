package dev.holdfast.device.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.device.MalformedMessageException;

/**
 * A device twin as the hub returns it to a GET: {@code {"desired":{...,"$version":n},
 * "reported":{...,"$version":m}}}. Nodes are deep copies; change them freely.
 */
public record Twin(ObjectNode desired, ObjectNode reported) {
    static final ObjectMapper JSON = new ObjectMapper();

    static {
        // Twin documents are small (the hub caps them far below this); refuse absurd nesting and sizes early.
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64)
                .maxStringLength(256 * 1024).maxNumberLength(64).build());
    }

    public Twin {
        desired = desired.deepCopy();
        reported = reported.deepCopy();
    }

    public long desiredVersion() {
        return desired.path("$version").asLong(0);
    }

    public long reportedVersion() {
        return reported.path("$version").asLong(0);
    }

    /** Parses a twin GET reply body. */
    public static Twin parse(byte[] body) throws MalformedMessageException {
        JsonNode n = object(body, "twin document");
        return new Twin(section(n, "desired"), section(n, "reported"));
    }

    private static ObjectNode section(JsonNode n, String name) throws MalformedMessageException {
        JsonNode s = n.get(name);
        if (s == null || s.isNull()) return JsonNodeFactory.instance.objectNode();
        if (!s.isObject()) throw new MalformedMessageException("twin '" + name + "' is " + s.getNodeType() + " (expected: an object)");
        return (ObjectNode) s;
    }

    /** A JSON object from server bytes, or the reason it is not one. */
    static ObjectNode object(byte[] body, String what) throws MalformedMessageException {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) throw new MalformedMessageException(what + " is not a JSON object");
            return (ObjectNode) n;
        } catch (JsonProcessingException e) {
            throw new MalformedMessageException(what + " is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new MalformedMessageException(what + " cannot be read: " + e.getMessage());
        }
    }

    /** A desired-properties patch pushed by the hub: JSON merge patch semantics, with its {@code $version}. */
    public record DesiredUpdate(ObjectNode patch, long version) {
        public DesiredUpdate {
            patch = patch.deepCopy();
        }

        public static DesiredUpdate parse(byte[] body, java.util.OptionalLong topicVersion) throws MalformedMessageException {
            ObjectNode n = object(body, "desired properties patch");
            long v = topicVersion.orElse(n.path("$version").asLong(-1));
            return new DesiredUpdate(n, v);
        }
    }
}
