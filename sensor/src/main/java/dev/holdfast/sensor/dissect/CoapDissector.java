package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;

/** CoAP over UDP (RFC 7252 §3): message code and the first Uri-Path segment. */
public final class CoapDissector implements Dissector {
    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        int end = off + len;
        if (len < 4 || ((b[off] & 0xC0) >> 6) != 1) return len;
        int tkl = b[off] & 0x0F;
        if (tkl > 8) return len;
        sink.number(p, flow, fromClient, Field.COAP_CODE, b[off + 1] & 0xFF);
        int o = off + 4 + tkl;
        int number = 0;
        for (int i = 0; i < 32 && o < end; i++) {
            int h = b[o] & 0xFF;
            if (h == 0xFF) break;
            int delta = h >> 4, length = h & 0x0F;
            o++;
            if (delta == 13) { if (o >= end) return len; delta = 13 + (b[o++] & 0xFF); }
            else if (delta == 14) { if (o + 1 >= end) return len; delta = 269 + (((b[o] & 0xFF) << 8) | (b[o + 1] & 0xFF)); o += 2; }
            else if (delta == 15) return len;
            if (length == 13) { if (o >= end) return len; length = 13 + (b[o++] & 0xFF); }
            else if (length == 14) { if (o + 1 >= end) return len; length = 269 + (((b[o] & 0xFF) << 8) | (b[o + 1] & 0xFF)); o += 2; }
            else if (length == 15) return len;
            number += delta;
            if (o + length > end) return len;
            if (number == 11) {
                sink.text(p, flow, fromClient, Field.COAP_URI_PATH, b, o, length);
                return len;
            }
            o += length;
        }
        return len;
    }
}
