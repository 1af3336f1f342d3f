package dev.holdfast.device.hub;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message between device and hub: a body and its properties (user properties, and system
 * properties whose names start with {@code $.}: {@code $.mid}, {@code $.cid}, {@code $.ct},
 * {@code $.ce}).
 */
public record Message(byte[] body, Map<String, String> properties) {
    public Message {
        body = body.clone();
        properties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** A UTF-8 JSON body with {@code $.ct=application/json} and {@code $.ce=utf-8}, as IoT Hub routing expects. */
    public static Message json(String json) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("$.ct", "application/json");
        p.put("$.ce", "utf-8");
        return new Message(json.getBytes(StandardCharsets.UTF_8), p);
    }

    public static Message of(byte[] body) {
        return new Message(body, Map.of());
    }

    /** A copy with one more property. */
    public Message with(String name, String value) {
        Map<String, String> p = new LinkedHashMap<>(properties);
        p.put(name, value);
        return new Message(body, p);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
