package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.pcap.Bytes;

/** LLDP (IEEE 802.1AB §8): chassis id, port id, system name and description TLVs. A MAC chassis id is reported as its 48-bit number. */
public final class LldpDissector implements Dissector {
    private static final int MAX_TLVS = 256;

    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        int o = off, end = off + len;
        for (int i = 0; i < MAX_TLVS && end - o >= 2; i++) {
            int h = Bytes.u16be(b, o);
            int type = h >> 9, n = h & 0x1FF;
            int v = o + 2;
            if (type == 0) break;
            if (v + n > end) {
                sink.malformed(p, flow, AppProtocol.LLDP);
                break;
            }
            switch (type) {
                case 1 -> {
                    if (n >= 7 && (b[v] & 0xFF) == 4) sink.number(p, flow, true, Field.LLDP_CHASSIS_ID, Bytes.u48be(b, v + 1));
                    else if (n >= 2) sink.text(p, flow, true, Field.LLDP_CHASSIS_ID, b, v + 1, n - 1);
                }
                case 2 -> { if (n >= 2) sink.text(p, flow, true, Field.LLDP_PORT_ID, b, v + 1, n - 1); }
                case 5 -> sink.text(p, flow, true, Field.LLDP_SYSTEM_NAME, b, v, n);
                case 6 -> sink.text(p, flow, true, Field.LLDP_SYSTEM_DESCRIPTION, b, v, n);
                default -> { }
            }
            o = v + n;
        }
        return len;
    }
}
