package dev.holdfast.hub.internal;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * Checks Netty's decoder leaves to the application: the reserved flag bits of the fixed header
 * (MQTT 3.1.1 §2.2.2, MQTT 5 §2.1.3). Only PUBLISH uses its flags; SUBSCRIBE, UNSUBSCRIBE and PUBREL
 * must carry {@code 0010}; every other packet {@code 0000}. Anything else is a malformed packet and
 * closes the connection.
 */
public final class MqttPacketRules {
    private MqttPacketRules() {
    }

    /** What is wrong with the header's flags, or null when nothing is. */
    public static String flagsProblem(MqttFixedHeader h) {
        MqttMessageType t = h.messageType();
        if (t == MqttMessageType.PUBLISH) {
            if (h.qosLevel() == MqttQoS.AT_MOST_ONCE && h.isDup()) return "PUBLISH with QoS 0 and DUP set (MQTT 3.1.1 §3.3.1.1)";
            return null;
        }
        boolean one = t == MqttMessageType.SUBSCRIBE || t == MqttMessageType.UNSUBSCRIBE || t == MqttMessageType.PUBREL;
        MqttQoS expected = one ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        if (h.isDup() || h.isRetain() || h.qosLevel() != expected) {
            return t + " with reserved flags " + flags(h) + " (expected: " + (one ? "0010" : "0000") + ", MQTT 3.1.1 §2.2.2)";
        }
        return null;
    }

    private static String flags(MqttFixedHeader h) {
        int f = (h.isDup() ? 8 : 0) | (h.qosLevel().value() << 1) | (h.isRetain() ? 1 : 0);
        String bits = Integer.toBinaryString(f);
        return "0000".substring(bits.length()) + bits;
    }
}
