package dev.holdfast.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * The size and shape limits of the registry's JSON documents, the same as Azure IoT Hub's device twin
 * limits so that a fleet moved from IoT Hub fits. Sizes are of the compact JSON text in UTF-8, without
 * the registry's own {@code $version} and {@code $metadata}. A write that would exceed a limit is
 * refused whole; nothing is stored.
 *
 * <ul>
 *   <li>tags: at most {@value #MAX_TAGS_BYTES} bytes;</li>
 *   <li>desired and reported properties: at most {@value #MAX_PROPERTIES_BYTES} bytes each;</li>
 *   <li>nesting: at most {@value #MAX_DEPTH} levels of objects and arrays (the document's own members
 *       are level 1);</li>
 *   <li>member names: 1 to {@value #MAX_KEY_LENGTH} characters, no control characters, no {@code .}
 *       (it separates path segments in queries), no {@code $} (reserved for {@code $version} and
 *       {@code $metadata}) and no space;</li>
 *   <li>strings: no NUL character (PostgreSQL's JSONB cannot store it).</li>
 * </ul>
 */
public final class RegistryLimits {
    public static final int MAX_TAGS_BYTES = 8 * 1024;
    public static final int MAX_PROPERTIES_BYTES = 32 * 1024;
    public static final int MAX_DEPTH = 10;
    public static final int MAX_KEY_LENGTH = 128;
    /** Status reasons and lifecycle reasons. */
    public static final int MAX_REASON_LENGTH = 512;
    /** Host name (and optional port) of a device's hub. */
    public static final int MAX_HUB_LENGTH = 253;
    /** Gateways may nest: a device has at most this many ancestors. */
    public static final int MAX_GATEWAY_DEPTH = 5;

    private RegistryLimits() {
    }

    /**
     * Checks a whole document (tags, desired, reported) as it would be stored: names, depth, no nulls
     * left, and size. Returns its compact JSON text, so the caller stores exactly what was measured.
     *
     * @param what {@code tags}, {@code properties.desired} or {@code properties.reported}, for messages
     */
    public static String checkDocument(String what, JsonDocument doc, int maxBytes) {
        checkShape(what, doc.node(), 1, false);
        String text = doc.json();
        // A UTF-16 unit is at most 3 UTF-8 bytes: short texts need no counting.
        int bytes = text.length() <= maxBytes / 3 ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw RegistryRefusal.invalid(slug(what) + "-too-large", what + ": " + bytes + " bytes exceeds the limit of " + maxBytes
                    + " bytes").exception();
        }
        return text;
    }

    /** Checks a JSON merge patch before it is applied: names and depth; nulls allowed (they delete). */
    public static void checkPatch(String what, JsonDocument patch) {
        checkShape(what, patch.node(), 1, true);
    }

    private static void checkShape(String path, JsonNode node, int depth, boolean nullsAllowed) {
        if (node.isObject()) {
            if (depth > MAX_DEPTH) throw tooDeep(path);
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                String problem = keyProblem(key);
                if (problem != null) {
                    throw RegistryRefusal.invalid("invalid-property-name", path + ": member name '" + excerpt(key) + "' " + problem).exception();
                }
                checkValue(path + "." + key, e.getValue(), depth, nullsAllowed);
            }
        } else {
            throw new IllegalArgumentException(path + ": not an object");
        }
    }

    private static void checkValue(String path, JsonNode v, int depth, boolean nullsAllowed) {
        if (v.isObject()) {
            checkShape(path, v, depth + 1, nullsAllowed);
        } else if (v.isArray()) {
            if (depth + 1 > MAX_DEPTH) throw tooDeep(path);
            int i = 0;
            for (JsonNode item : v) {
                if (item.isNull()) throw RegistryRefusal.invalid("invalid-property-value", path + "[" + i + "]: null inside an array (expected: a value)").exception();
                checkValue(path + "[" + i + "]", item, depth + 1, false);
                i++;
            }
        } else if (v.isNull()) {
            if (!nullsAllowed) {
                throw RegistryRefusal.invalid("invalid-property-value", path + ": null (a null removes a member in a patch; a stored document has none)").exception();
            }
        } else if (v.isTextual()) {
            if (v.textValue().indexOf('\0') >= 0) {
                throw RegistryRefusal.invalid("invalid-property-value", path + ": string contains a NUL character").exception();
            }
        }
    }

    private static RegistryRefusedException tooDeep(String path) {
        return RegistryRefusal.invalid("too-deep", path + ": nested deeper than " + MAX_DEPTH + " levels").exception();
    }

    /** Why {@code key} cannot be a member name, or null when it can. */
    static String keyProblem(String key) {
        if (key.isEmpty()) return "is empty";
        if (key.length() > MAX_KEY_LENGTH) return "has " + key.length() + " characters (expected: at most " + MAX_KEY_LENGTH + ")";
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return "has a control character at offset " + i;
            if (c == '.' || c == '$' || c == ' ') return "has '" + c + "' at offset " + i + " (not allowed: '.', '$', space)";
        }
        return null;
    }

    private static String slug(String what) {
        return what.replace("properties.", "").replace('.', '-');
    }

    /** At most 40 characters of {@code text} for an error message, control characters escaped. */
    public static String excerpt(String text) {
        if (text == null) return "null";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length() && i < 40; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        if (text.length() > 40) b.append("...");
        return b.toString();
    }

    /** {@code "' ' (U+0020)"}, for messages about one character. */
    static String describe(char c) {
        String shown = c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ? "" : "'" + c + "' ";
        return shown + String.format("(U+%04X)", (int) c);
    }
}
