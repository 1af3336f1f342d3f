package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.pcap.Bytes;

/** Cisco Discovery Protocol v1/v2: device id, software version, platform and port id TLVs. */
public final class CdpDissector implements Dissector {
    private static final int MAX_TLVS = 256;

    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        int o = off + 4, end = off + len;
        for (int i = 0; i < MAX_TLVS && end - o >= 4; i++) {
            int type = Bytes.u16be(b, o), n = Bytes.u16be(b, o + 2);
            if (n < 4 || o + n > end) {
                sink.malformed(p, flow, AppProtocol.CDP);
                break;
            }
            int v = o + 4, vl = n - 4;
            switch (type) {
                case 1 -> sink.text(p, flow, true, Field.CDP_DEVICE_ID, b, v, vl);
                case 3 -> sink.text(p, flow, true, Field.CDP_PORT_ID, b, v, vl);
                case 5 -> sink.text(p, flow, true, Field.CDP_SOFTWARE, b, v, vl);
                case 6 -> sink.text(p, flow, true, Field.CDP_PLATFORM, b, v, vl);
                default -> { }
            }
            o += n;
        }
        return len;
    }
}
