package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.pcap.Bytes;

/**
 * MQTT 3.1, 3.1.1 and 5.0 control packets: CONNECT (client id, user name, password), PUBLISH and
 * SUBSCRIBE topics. A packet is parsed once complete; packets larger than {@link #MAX_PACKET}
 * cannot be buffered and end parsing of the direction.
 */
public final class MqttDissector implements Dissector {
    public static final int MAX_PACKET = 65_536;
    private static final int GIVEN_UP = 1 << 20;

    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        int start = off, end = off + len;
        int slot = fromClient ? 2 : 3;
        if (flow != null && (flow.state[slot] & GIVEN_UP) != 0) return len;
        while (end - off >= 2) {
            int remaining = 0, shift = 0, i = off + 1;
            boolean complete = false;
            for (int k = 0; k < 4 && i < end; k++, i++) {
                remaining |= (b[i] & 0x7F) << shift;
                shift += 7;
                if ((b[i] & 0x80) == 0) { complete = true; i++; break; }
            }
            if (!complete) {
                if (i - off - 1 >= 4) { giveUp(p, flow, slot, sink); return len; }
                break;
            }
            if (remaining > MAX_PACKET) { giveUp(p, flow, slot, sink); return len; }
            if (end - i < remaining) break;
            int type = (b[off] & 0xFF) >> 4;
            sink.number(p, flow, fromClient, Field.MQTT_PACKET_TYPE, type);
            packet(p, flow, fromClient, type, b[off] & 0x0F, b, i, i + remaining, sink);
            off = i + remaining;
        }
        return off - start;
    }

    private static void giveUp(Packet p, Flow flow, int slot, FieldSink sink) {
        sink.malformed(p, flow, AppProtocol.MQTT);
        if (flow != null) flow.state[slot] |= GIVEN_UP;
    }

    private static void packet(Packet p, Flow flow, boolean fromClient, int type, int flags, byte[] b, int o, int end, FieldSink sink) {
        switch (type) {
            case 1 -> connect(p, flow, fromClient, b, o, end, sink);
            case 3 -> {
                if (end - o >= 2 && Bytes.u16be(b, o) <= end - o - 2) sink.text(p, flow, fromClient, Field.MQTT_TOPIC, b, o + 2, Bytes.u16be(b, o));
            }
            case 8 -> { // packet id, [v5 properties,] first topic filter; the version is unknown here, so try 3.1.1 layout
                if (end - o >= 4 && Bytes.u16be(b, o + 2) <= end - o - 4) sink.text(p, flow, fromClient, Field.MQTT_TOPIC, b, o + 4, Bytes.u16be(b, o + 2));
            }
            default -> { }
        }
    }

    private static void connect(Packet p, Flow flow, boolean fromClient, byte[] b, int o, int end, FieldSink sink) {
        if (end - o < 2) return;
        int nameLen = Bytes.u16be(b, o);
        o += 2 + nameLen;
        if (end - o < 4) return;
        int level = b[o] & 0xFF;
        int flags = b[o + 1] & 0xFF;
        o += 4;
        if (level == 5) {
            int[] r = varint(b, o, end);
            if (r == null) return;
            o = r[0] + r[1];
        }
        o = string(p, flow, b, o, end, Field.MQTT_CLIENT_ID, sink);
        if (o < 0) return;
        if ((flags & 0x04) != 0) { // will: [v5 properties], topic, payload
            if (level == 5) {
                int[] r = varint(b, o, end);
                if (r == null) return;
                o = r[0] + r[1];
            }
            o = string(p, flow, b, o, end, null, sink);
            if (o < 0) return;
            o = string(p, flow, b, o, end, null, sink);
            if (o < 0) return;
        }
        if ((flags & 0x80) != 0) {
            o = string(p, flow, b, o, end, Field.MQTT_USERNAME, sink);
            if (o < 0) return;
        }
        if ((flags & 0x40) != 0) string(p, flow, b, o, end, Field.MQTT_PASSWORD, sink);
    }

    /** Reads a two-byte-length string, reporting it as {@code field} unless null; returns the offset after it or -1. */
    private static int string(Packet p, Flow flow, byte[] b, int o, int end, Field field, FieldSink sink) {
        if (end - o < 2) return -1;
        int n = Bytes.u16be(b, o);
        if (n > end - o - 2) return -1;
        if (field != null) sink.text(p, flow, true, field, b, o + 2, n);
        return o + 2 + n;
    }

    /** {offset after the varint, value}, or null; allocation is fine here: CONNECT is rare. */
    private static int[] varint(byte[] b, int o, int end) {
        int v = 0, shift = 0;
        for (int k = 0; k < 4; k++) {
            if (o >= end) return null;
            int c = b[o++] & 0xFF;
            v |= (c & 0x7F) << shift;
            shift += 7;
            if ((c & 0x80) == 0) return v > end - o ? null : new int[]{o, v};
        }
        return null;
    }
}
