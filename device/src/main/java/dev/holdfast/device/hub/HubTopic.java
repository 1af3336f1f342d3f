package dev.holdfast.device.hub;

import dev.holdfast.device.MalformedMessageException;

import java.util.Map;
import java.util.OptionalLong;

/**
 * The topics a device receives from the hub (IoT Hub MQTT, see docs/PROTOCOLS.md), parsed. A topic
 * the device did not subscribe to, or for another device, is {@link Foreign}.
 */
public sealed interface HubTopic {
    /** {@code devices/{id}/messages/devicebound/{bag}}. */
    record CloudToDevice(Map<String, String> properties) implements HubTopic {
        public CloudToDevice {
            properties = Map.copyOf(properties);
        }
    }

    /** {@code $iothub/twin/res/{status}/?$rid={rid}[&$version={v}]}. */
    record TwinResponse(int status, String requestId, OptionalLong version) implements HubTopic {
    }

    /** {@code $iothub/twin/PATCH/properties/desired/?$version={v}}. */
    record DesiredPatch(OptionalLong version) implements HubTopic {
    }

    /** {@code $iothub/methods/POST/{name}/?$rid={rid}}. */
    record MethodCall(String name, String requestId) implements HubTopic {
    }

    record Foreign(String topic) implements HubTopic {
    }

    int MAX_TOPIC_LENGTH = 65535;

    static HubTopic parse(String deviceId, String topic) throws MalformedMessageException {
        if (topic.length() > MAX_TOPIC_LENGTH) throw new MalformedMessageException("topic of " + topic.length() + " characters exceeds the MQTT limit 65535");
        String c2d = "devices/" + deviceId + "/messages/devicebound/";
        if (topic.startsWith(c2d)) {
            String bag = topic.substring(c2d.length());
            if (bag.endsWith("/")) bag = bag.substring(0, bag.length() - 1);
            return new CloudToDevice(PropertyBag.decode(bag));
        }
        if (topic.equals("devices/" + deviceId + "/messages/devicebound")) return new CloudToDevice(Map.of());
        if (topic.startsWith("$iothub/twin/res/")) {
            String rest = topic.substring("$iothub/twin/res/".length());
            int slash = rest.indexOf('/');
            String code = slash < 0 ? rest : rest.substring(0, slash);
            if (code.length() != 3 || !code.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                throw new MalformedMessageException("twin response status '" + cut(code) + "' is not three digits");
            }
            Map<String, String> q = query(slash < 0 ? "" : rest.substring(slash + 1));
            String rid = q.get("$rid");
            if (rid == null || rid.isEmpty()) throw new MalformedMessageException("twin response without $rid");
            return new TwinResponse(Integer.parseInt(code), rid, version(q));
        }
        if (topic.startsWith("$iothub/twin/PATCH/properties/desired/")) {
            return new DesiredPatch(version(query(topic.substring("$iothub/twin/PATCH/properties/desired/".length()))));
        }
        if (topic.startsWith("$iothub/methods/POST/")) {
            String rest = topic.substring("$iothub/methods/POST/".length());
            int slash = rest.indexOf('/');
            if (slash <= 0) throw new MalformedMessageException("method call topic without a method name and '/?$rid='");
            Map<String, String> q = query(rest.substring(slash + 1));
            String rid = q.get("$rid");
            if (rid == null || rid.isEmpty()) throw new MalformedMessageException("method call without $rid");
            return new MethodCall(rest.substring(0, slash), rid);
        }
        return new Foreign(topic);
    }

    private static Map<String, String> query(String part) throws MalformedMessageException {
        String q = part.startsWith("?") ? part.substring(1) : part;
        return PropertyBag.decode(q);
    }

    private static OptionalLong version(Map<String, String> q) throws MalformedMessageException {
        String v = q.get("$version");
        if (v == null) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(v));
        } catch (NumberFormatException e) {
            throw new MalformedMessageException("$version '" + cut(v) + "' is not a decimal integer");
        }
    }

    private static String cut(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
