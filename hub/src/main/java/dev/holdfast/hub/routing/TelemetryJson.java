package dev.holdfast.hub.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.hub.TelemetryMessage;

import java.io.IOException;
import java.util.Base64;
import java.util.Map;

/**
 * One message as a JSON object, the same for JSON Lines files and webhooks: deviceId, moduleId,
 * enqueuedAt, system, properties, will, and body (the JSON itself when the body is JSON, else
 * bodyBase64).
 */
final class TelemetryJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TelemetryJson() {
    }

    static byte[] encode(TelemetryMessage m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("deviceId", m.deviceId());
        m.moduleId().ifPresent(v -> o.put("moduleId", v));
        o.put("enqueuedAt", m.enqueuedAt().toString());
        ObjectNode sys = o.putObject("system");
        for (Map.Entry<String, String> e : m.system().entrySet()) sys.put(e.getKey(), e.getValue());
        ObjectNode props = o.putObject("properties");
        for (Map.Entry<String, String> e : m.properties().entrySet()) props.put(e.getKey(), e.getValue());
        if (m.will()) o.put("will", true);
        byte[] body = m.body().toArray();
        JsonNode parsed = null;
        if (body.length > 0) {
            try {
                parsed = JSON.readTree(body);
            } catch (IOException notJson) {
                parsed = null;
            }
        }
        if (parsed != null && !parsed.isMissingNode()) o.set("body", parsed);
        else o.put("bodyBase64", Base64.getEncoder().encodeToString(body));
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException("telemetry as JSON: " + e.getMessage(), e);
        }
    }
}
