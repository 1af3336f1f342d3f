package dev.holdfast.device.hub;

import dev.holdfast.device.MalformedMessageException;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The IoT Hub MQTT property bag: URL-encoded {@code k=v} pairs joined by {@code &}, the last topic
 * level of telemetry ({@code devices/{id}/messages/events/{bag}}) and cloud-to-device messages.
 * System properties start with {@code $.} ({@code $.mid}, {@code $.cid}, {@code $.ct}, {@code $.ce});
 * the hub writes the {@code $} as {@code %24}, which decoding turns back into {@code $}.
 */
public final class PropertyBag {
    /** Longest bag accepted from the server; the hub's topics are far shorter. */
    public static final int MAX_LENGTH = 16 * 1024;

    private PropertyBag() {
    }

    /** Encodes {@code properties} in order; {@code $.} keys keep a literal {@code $} as the Azure Java SDK does. */
    public static String encode(Map<String, String> properties) {
        StringBuilder sb = new StringBuilder();
        for (var e : properties.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) throw new IllegalArgumentException("property name: empty");
            if (!sb.isEmpty()) sb.append('&');
            String key = e.getKey();
            if (key.startsWith("$.")) sb.append("$.").append(enc(key.substring(2)));
            else sb.append(enc(key));
            sb.append('=').append(enc(e.getValue() == null ? "" : e.getValue()));
        }
        return sb.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Decodes a bag. An item without {@code =} is a key with an empty value. Empty items ({@code &&})
     * are skipped; a repeated key keeps the last value.
     */
    public static Map<String, String> decode(String bag) throws MalformedMessageException {
        if (bag.length() > MAX_LENGTH) throw new MalformedMessageException("property bag of " + bag.length() + " characters exceeds " + MAX_LENGTH);
        Map<String, String> out = new LinkedHashMap<>();
        if (bag.isEmpty()) return out;
        int start = 0;
        while (start <= bag.length()) {
            int amp = bag.indexOf('&', start);
            int end = amp < 0 ? bag.length() : amp;
            if (end > start) {
                String item = bag.substring(start, end);
                int eq = item.indexOf('=');
                String key = dec(eq < 0 ? item : item.substring(0, eq), start);
                if (key.isEmpty()) throw new MalformedMessageException("empty property name at offset " + start + " of the property bag");
                out.put(key, eq < 0 ? "" : dec(item.substring(eq + 1), start));
            }
            if (amp < 0) break;
            start = amp + 1;
        }
        return out;
    }

    private static String dec(String s, int offset) throws MalformedMessageException {
        try {
            // '+' is a literal plus in a topic (RFC 3986 percent-encoding, not form encoding).
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("bad percent-encoding near offset " + offset + " of the property bag: " + e.getMessage());
        }
    }
}
