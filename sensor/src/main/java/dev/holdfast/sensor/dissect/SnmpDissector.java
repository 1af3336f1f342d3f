package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;

/** SNMP v1/v2c (RFC 1157, RFC 3416) message header: version and community string (a cleartext secret). */
public final class SnmpDissector implements Dissector {
    private int pos;

    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        int end = off + len;
        pos = off;
        if (tag(b, end, 0x30) < 0) return len;
        int vl = tag(b, end, 0x02);
        if (vl < 1 || vl > 4) return len;
        int version = 0;
        for (int i = 0; i < vl; i++) version = (version << 8) | (b[pos + i] & 0xFF);
        pos += vl;
        sink.number(p, flow, fromClient, Field.SNMP_VERSION, version);
        if (version > 1) return len; // v3 carries no community
        int cl = tag(b, end, 0x04);
        if (cl < 0) return len;
        sink.text(p, flow, fromClient, Field.SNMP_COMMUNITY, b, pos, cl);
        return len;
    }

    /** Reads a BER tag and length at {@link #pos}; returns the length with {@link #pos} at the value, or -1. */
    private int tag(byte[] b, int end, int expected) {
        if (end - pos < 2 || (b[pos] & 0xFF) != expected) return -1;
        int l = b[pos + 1] & 0xFF;
        pos += 2;
        if (l >= 0x80) {
            int n = l & 0x7F;
            if (n == 0 || n > 3 || end - pos < n) return -1;
            l = 0;
            for (int i = 0; i < n; i++) l = (l << 8) | (b[pos++] & 0xFF);
        }
        if (expected != 0x30 && l > end - pos) return -1;
        return l;
    }
}
