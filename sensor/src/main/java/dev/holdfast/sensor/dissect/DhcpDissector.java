package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.pcap.Bytes;

/** DHCP (RFC 2131, options RFC 2132): message type, host name, vendor class, parameter request list, client MAC. */
public final class DhcpDissector implements Dissector {
    private static final int MAGIC = 0x63825363;

    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        int end = off + len;
        if (len < 240 || Bytes.i32be(b, off + 236) != MAGIC) {
            sink.malformed(p, flow, AppProtocol.DHCP);
            return len;
        }
        int op = b[off] & 0xFF;
        if ((b[off + 1] & 0xFF) == 1 && (b[off + 2] & 0xFF) == 6) {
            sink.number(p, flow, op == 1, Field.DHCP_CLIENT_MAC, Bytes.u48be(b, off + 28));
        }
        int o = off + 240;
        while (o < end) {
            int code = b[o] & 0xFF;
            if (code == 255) break;
            if (code == 0) { o++; continue; }
            if (o + 2 > end) break;
            int n = b[o + 1] & 0xFF;
            int v = o + 2;
            if (v + n > end) {
                sink.malformed(p, flow, AppProtocol.DHCP);
                break;
            }
            switch (code) {
                case 53 -> { if (n >= 1) sink.number(p, flow, op == 1, Field.DHCP_MESSAGE_TYPE, b[v] & 0xFF); }
                case 12 -> sink.text(p, flow, op == 1, Field.DHCP_HOSTNAME, b, v, n);
                case 60 -> sink.text(p, flow, op == 1, Field.DHCP_VENDOR_CLASS, b, v, n);
                case 55 -> sink.text(p, flow, op == 1, Field.DHCP_PARAMETER_LIST, b, v, n);
                case 50 -> { if (n == 4) sink.number(p, flow, op == 1, Field.DHCP_REQUESTED_IP, Bytes.i32be(b, v) & 0xFFFFFFFFL); }
                default -> { }
            }
            o = v + n;
        }
        return len;
    }
}
