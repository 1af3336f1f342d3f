package dev.holdfast.hub.internal;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * IoT Hub's property bag: the last topic level of telemetry and cloud-to-device messages, URL-encoded
 * {@code k=v} pairs joined by {@code &}. System properties start with {@code $.} (the Java SDK writes a
 * literal {@code $}, the C SDK {@code %24.}); both decode to the same key.
 */
public final class PropertyBag {
    /** At most this many properties per message (IoT Hub allows 81 application properties). */
    public static final int MAX_PROPERTIES = 128;

    private PropertyBag() {
    }

    /**
     * Decodes {@code bag}; a key without {@code =} gets an empty value. Null when the text is not a
     * property bag (bad percent-encoding, too many properties), so the caller can refuse the message.
     */
    public static Map<String, String> decode(String bag) {
        Map<String, String> out = new LinkedHashMap<>();
        if (bag == null || bag.isEmpty()) return out;
        int start = 0;
        int n = 0;
        while (start <= bag.length()) {
            int amp = bag.indexOf('&', start);
            int end = amp < 0 ? bag.length() : amp;
            if (end > start) {
                if (++n > MAX_PROPERTIES) return null;
                String item = bag.substring(start, end);
                int eq = item.indexOf('=');
                try {
                    String k = URLDecoder.decode(eq < 0 ? item : item.substring(0, eq), StandardCharsets.UTF_8);
                    String v = eq < 0 ? "" : URLDecoder.decode(item.substring(eq + 1), StandardCharsets.UTF_8);
                    if (k.isEmpty()) return null;
                    out.put(k, v);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
            if (amp < 0) break;
            start = amp + 1;
        }
        return out;
    }

    /**
     * Encodes system properties first ({@code $} written as {@code %24}, as IoT Hub does towards
     * devices), then application properties, each {@code k=v}.
     */
    public static String encode(Map<String, String> system, Map<String, String> application) {
        StringBuilder sb = new StringBuilder();
        for (var e : system.entrySet()) append(sb, e.getKey(), e.getValue());
        for (var e : application.entrySet()) append(sb, e.getKey(), e.getValue());
        return sb.toString();
    }

    private static void append(StringBuilder sb, String k, String v) {
        if (!sb.isEmpty()) sb.append('&');
        sb.append(enc(k)).append('=').append(enc(v == null ? "" : v));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
