package dev.holdfast.hub.internal;

import java.util.Map;

/**
 * A topic a device publishes to, parsed against the IoT Hub topic model (PROTOCOLS.md) for the
 * device that holds the session. Anything outside the device's own namespace is {@link Foreign}; the
 * caller refuses it.
 */
public sealed interface IotHubTopic {
    /** {@code devices/{id}/messages/events/{bag}} or {@code devices/{id}/modules/{m}/messages/events/{bag}/}. */
    record Telemetry(String moduleId, Map<String, String> properties) implements IotHubTopic {
    }

    /** {@code $iothub/twin/GET/?$rid={rid}}. */
    record TwinGet(String rid) implements IotHubTopic {
    }

    /** {@code $iothub/twin/PATCH/properties/reported/?$rid={rid}}. */
    record TwinReported(String rid) implements IotHubTopic {
    }

    /** {@code $iothub/methods/res/{status}/?$rid={rid}}. */
    record MethodResponse(int status, String rid) implements IotHubTopic {
    }

    /** In the device's namespace but not a topic the model defines, or malformed (bad bag, no rid). */
    record Malformed(String reason) implements IotHubTopic {
    }

    /** Another device's topic, or no IoT Hub topic at all. */
    record Foreign(String reason) implements IotHubTopic {
    }

    /**
     * Parses {@code topic} for {@code deviceId}. A gateway acting for a child passes the child's id.
     */
    static IotHubTopic parse(String topic, String deviceId) {
        if (topic.startsWith("devices/")) {
            int idEnd = topic.indexOf('/', 8);
            if (idEnd < 0 || !topic.regionMatches(8, deviceId, 0, deviceId.length()) || idEnd != 8 + deviceId.length()) {
                return new Foreign("topic '" + excerpt(topic) + "' is not in device '" + deviceId + "''s namespace devices/" + deviceId + "/");
            }
            String rest = topic.substring(idEnd + 1);
            String module = null;
            if (rest.startsWith("modules/")) {
                int mEnd = rest.indexOf('/', 8);
                if (mEnd <= 8) return new Malformed("module topic without a module id");
                module = rest.substring(8, mEnd);
                rest = rest.substring(mEnd + 1);
            }
            if (rest.startsWith("messages/events/") || rest.equals("messages/events")) {
                String bag = rest.length() > 16 ? rest.substring(16) : "";
                if (bag.endsWith("/")) bag = bag.substring(0, bag.length() - 1);
                if (bag.indexOf('/') >= 0) return new Malformed("telemetry topic has levels after the property bag");
                Map<String, String> props = PropertyBag.decode(bag);
                if (props == null) return new Malformed("telemetry property bag '" + excerpt(bag) + "' is not URL-encoded k=v pairs (at most "
                        + PropertyBag.MAX_PROPERTIES + ")");
                return new Telemetry(module, props);
            }
            return new Malformed("devices/" + deviceId + "/" + excerpt(rest) + " is not a topic devices publish to");
        }
        if (topic.startsWith("$iothub/")) {
            int q = topic.indexOf("/?");
            if (q < 0) return new Malformed("$iothub topic without a query ($rid)");
            String path = topic.substring(0, q);
            Map<String, String> query = PropertyBag.decode(topic.substring(q + 2));
            String rid = query == null ? null : query.get("$rid");
            if (rid == null || rid.isEmpty()) return new Malformed("$iothub topic without $rid");
            if (path.equals("$iothub/twin/GET")) return new TwinGet(rid);
            if (path.equals("$iothub/twin/PATCH/properties/reported")) return new TwinReported(rid);
            if (path.startsWith("$iothub/methods/res/")) {
                String s = path.substring(20);
                if (s.isEmpty() || s.length() > 9) return new Malformed("method response status '" + excerpt(s) + "' is not a number");
                try {
                    return new MethodResponse(Integer.parseInt(s), rid);
                } catch (NumberFormatException e) {
                    return new Malformed("method response status '" + excerpt(s) + "' is not a number");
                }
            }
            return new Malformed(excerpt(path) + " is not a topic devices publish to");
        }
        return new Foreign("topic '" + excerpt(topic) + "' is outside the IoT Hub topic model");
    }

    static String excerpt(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 80 ? b + "..." : b.toString();
    }
}
