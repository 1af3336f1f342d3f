package dev.holdfast.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;
import java.util.OptionalLong;

/**
 * When each twin property last changed (see {@link Twin}).
 *
 * <p><b>Shown</b> ({@link #expand}) as IoT Hub shows it: each side mirrors its document, every member
 * and object with {@code $lastUpdated} (ISO-8601 UTC), desired leaves also with
 * {@code $lastUpdatedVersion}; an object's {@code $lastUpdated} is the latest change below it.
 *
 * <p><b>Stored</b> sparsely, because a million devices imported at once would otherwise store a second
 * copy of every document's shape: {@code {"desired": M, "reported": M}} where each object node
 * {@code M} has {@code $lastUpdated} and lists only the members that changed after the object was
 * written whole; a member it does not list was last updated at the object's {@code $fresh} (absent:
 * equal to its {@code $lastUpdated}) with version {@code $freshVersion}. A document written whole is
 * just {@code {"$lastUpdated": T}}.
 */
public final class TwinMetadata {
    static final String LAST_UPDATED = "$lastUpdated";
    static final String LAST_UPDATED_VERSION = "$lastUpdatedVersion";
    private static final String FRESH = "$fresh";
    private static final String FRESH_VERSION = "$freshVersion";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private TwinMetadata() {
    }

    /** Stored metadata of documents written whole at {@code stamp}: desired at {@code desiredVersion}. */
    public static JsonDocument fresh(long desiredVersion, String stamp) {
        ObjectNode m = NODES.objectNode();
        m.set("desired", freshSide(stamp, OptionalLong.of(desiredVersion)));
        m.set("reported", freshSide(stamp, OptionalLong.empty()));
        return JsonDocument.adopt(m);
    }

    /** {@code metadata} with one side ({@code desired} or {@code reported}) written whole at {@code stamp}. */
    public static JsonDocument replaceSide(JsonDocument metadata, String side, String stamp, OptionalLong version) {
        ObjectNode m = metadata.toNode();
        m.set(side, freshSide(stamp, version));
        return JsonDocument.adopt(m);
    }

    private static ObjectNode freshSide(String stamp, OptionalLong version) {
        ObjectNode s = NODES.objectNode().put(LAST_UPDATED, stamp);
        if (version.isPresent()) s.put(FRESH_VERSION, version.getAsLong());
        return s;
    }

    /**
     * {@code metadata} after {@code patch} was merged into the {@code side} document {@code before}:
     * every member the patch sets gets {@code $lastUpdated = stamp} (desired ones also {@code version}),
     * as does every object above it; removed members lose their metadata.
     */
    public static JsonDocument touch(JsonDocument metadata, String side, JsonDocument before, JsonDocument patch, String stamp, OptionalLong version) {
        ObjectNode m = metadata.toNode();
        JsonNode s = m.get(side);
        ObjectNode sideMeta = s instanceof ObjectNode o ? o : freshSide(stamp, version);
        touch(sideMeta, before.node(), patch.node(), stamp, version);
        m.set(side, sideMeta);
        return JsonDocument.adopt(m);
    }

    private static void touch(ObjectNode meta, JsonNode before, ObjectNode patch, String stamp, OptionalLong version) {
        String fresh = meta.has(FRESH) ? meta.get(FRESH).asText() : meta.path(LAST_UPDATED).asText(stamp);
        JsonNode freshVersion = meta.get(FRESH_VERSION);
        meta.put(FRESH, fresh); // members not listed keep the old stamp
        meta.put(LAST_UPDATED, stamp);
        Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (value.isNull()) {
                meta.remove(key);
            } else if (value.isObject()) {
                JsonNode old = before == null ? null : before.get(key);
                JsonNode oldMeta = meta.get(key);
                ObjectNode child;
                if (old != null && old.isObject()) {
                    if (oldMeta instanceof ObjectNode o) {
                        child = o;
                    } else {
                        // An object that inherited its stamps: its members keep inheriting the parent's.
                        child = NODES.objectNode().put(LAST_UPDATED, fresh);
                        if (freshVersion != null) child.set(FRESH_VERSION, freshVersion);
                    }
                    touch(child, old, (ObjectNode) value, stamp, version);
                } else {
                    // A new object (or one replacing a value): everything in it is new now.
                    child = freshSide(stamp, version);
                }
                meta.set(key, child);
            } else {
                ObjectNode leaf = NODES.objectNode().put(LAST_UPDATED, stamp);
                if (version.isPresent()) leaf.put(LAST_UPDATED_VERSION, version.getAsLong());
                meta.set(key, leaf);
            }
        }
        if (meta.path(FRESH).asText().equals(stamp)) meta.remove(FRESH);
    }

    /**
     * The metadata to show for a twin: stored {@code metadata} expanded over the documents, in the shape
     * IoT Hub uses ({@code {"desired": {...}, "reported": {...}}}).
     */
    public static ObjectNode expand(JsonDocument metadata, JsonDocument desired, JsonDocument reported) {
        ObjectNode m = metadata.node();
        ObjectNode out = NODES.objectNode();
        out.set("desired", expandSide(m.get("desired"), desired.node()));
        out.set("reported", expandSide(m.get("reported"), reported.node()));
        return out;
    }

    private static ObjectNode expandSide(JsonNode stored, ObjectNode doc) {
        ObjectNode meta = stored instanceof ObjectNode o ? o : NODES.objectNode();
        String last = meta.path(LAST_UPDATED).asText(null);
        String fresh = meta.has(FRESH) ? meta.get(FRESH).asText() : last;
        JsonNode freshVersion = meta.get(FRESH_VERSION);
        return expandObject(meta, doc, last, fresh, freshVersion);
    }

    private static ObjectNode expandObject(ObjectNode meta, ObjectNode doc, String last, String fresh, JsonNode freshVersion) {
        ObjectNode out = NODES.objectNode();
        if (last != null) out.put(LAST_UPDATED, last);
        Iterator<Map.Entry<String, JsonNode>> it = doc.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode own = meta == null ? null : meta.get(e.getKey());
            if (e.getValue() instanceof ObjectNode child) {
                if (own instanceof ObjectNode o) {
                    String childLast = o.path(LAST_UPDATED).asText(fresh);
                    String childFresh = o.has(FRESH) ? o.get(FRESH).asText() : childLast;
                    JsonNode childVersion = o.has(FRESH_VERSION) ? o.get(FRESH_VERSION) : freshVersion;
                    out.set(e.getKey(), expandObject(o, child, childLast, childFresh, childVersion));
                } else {
                    out.set(e.getKey(), expandObject(null, child, fresh, fresh, freshVersion));
                }
            } else if (own instanceof ObjectNode o && o.has(LAST_UPDATED)) {
                ObjectNode leaf = NODES.objectNode().put(LAST_UPDATED, o.get(LAST_UPDATED).asText());
                if (o.has(LAST_UPDATED_VERSION)) leaf.set(LAST_UPDATED_VERSION, o.get(LAST_UPDATED_VERSION));
                out.set(e.getKey(), leaf);
            } else {
                ObjectNode leaf = NODES.objectNode();
                if (fresh != null) leaf.put(LAST_UPDATED, fresh);
                if (freshVersion != null) leaf.set(LAST_UPDATED_VERSION, freshVersion);
                out.set(e.getKey(), leaf);
            }
        }
        return out;
    }
}
