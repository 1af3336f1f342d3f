package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.pcap.Bytes;

/** S7comm over ISO-on-TCP (RFC 1006 TPKT, ISO 8073 COTP data TPDU): ROSCTR and the parameter's function code. */
public final class S7Dissector implements Dissector {
    public static final int ROSCTR_JOB = 1, ROSCTR_ACK_DATA = 3, ROSCTR_USERDATA = 7;
    /** Functions that change a PLC: write var, download, PLC control/stop. */
    public static boolean isWrite(int function) {
        return function == 0x05 || function == 0x1A || function == 0x1B || function == 0x1C || function == 0x28 || function == 0x29;
    }

    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        int start = off, end = off + len;
        while (end - off >= 4) {
            if ((b[off] & 0xFF) != 3) {
                sink.malformed(p, flow, AppProtocol.S7COMM);
                return len;
            }
            int tpkt = Bytes.u16be(b, off + 2);
            if (tpkt < 7) {
                sink.malformed(p, flow, AppProtocol.S7COMM);
                return len;
            }
            if (end - off < tpkt) break;
            pdu(p, flow, fromClient, b, off + 4, off + tpkt, sink);
            off += tpkt;
        }
        return off - start;
    }

    private static void pdu(Packet p, Flow flow, boolean fromClient, byte[] b, int o, int end, FieldSink sink) {
        int li = b[o] & 0xFF;
        if (o + 1 >= end || (b[o + 1] & 0xF0) != 0xF0) return; // only data TPDUs carry S7
        int s7 = o + 1 + li;
        if (end - s7 < 10 || (b[s7] & 0xFF) != 0x32) return;
        int rosctr = b[s7 + 1] & 0xFF;
        sink.number(p, flow, fromClient, Field.S7_ROSCTR, rosctr);
        int header = (rosctr == 2 || rosctr == 3) ? 12 : 10;
        int paramLen = Bytes.u16be(b, s7 + 6);
        if ((rosctr == ROSCTR_JOB || rosctr == ROSCTR_ACK_DATA) && paramLen > 0 && end - s7 > header) {
            sink.number(p, flow, fromClient, Field.S7_FUNCTION, b[s7 + header] & 0xFF);
        }
    }
}
