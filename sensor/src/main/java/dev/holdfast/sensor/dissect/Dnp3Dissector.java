package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.pcap.Bytes;

/**
 * DNP3 over TCP (IEEE 1815-2012): link frames (0x0564, length, control, addresses, CRC every 16
 * bytes), the transport FIR/FIN bits and the application function code and first object group.
 * The function of a multi-segment fragment is reported when its FIN segment arrives, as a
 * reassembling dissector would. Bytes that are not a frame start are skipped to the next 0x0564.
 */
public final class Dnp3Dissector implements Dissector {
    public static final int FN_SELECT = 3, FN_OPERATE = 4, FN_DIRECT_OPERATE = 5, FN_COLD_RESTART = 13, FN_WARM_RESTART = 14,
            FN_WRITE = 2, FN_STOP_APPL = 18, FN_FILE_DELETE = 27, FN_OPEN_FILE = 25;

    public static boolean isControl(int function) {
        return switch (function) {
            case 2, 3, 4, 5, 6, 13, 14, 16, 17, 18, 19, 25, 27, 31 -> true;
            default -> false;
        };
    }

    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        int start = off, end = off + len;
        while (end - off >= 10) {
            if ((b[off] & 0xFF) != 0x05 || (b[off + 1] & 0xFF) != 0x64) {
                sink.malformed(p, flow, AppProtocol.DNP3);
                int next = off + 1;
                while (next + 1 < end && !((b[next] & 0xFF) == 0x05 && (b[next + 1] & 0xFF) == 0x64)) next++;
                off = next + 1 < end ? next : end - 1;
                continue;
            }
            int length = b[off + 2] & 0xFF;
            if (length < 5) {
                sink.malformed(p, flow, AppProtocol.DNP3);
                off += 2;
                continue;
            }
            int user = length - 5;
            int frame = 10 + user + 2 * ((user + 15) / 16);
            if (end - off < frame) break;
            int control = b[off + 3] & 0xFF;
            sink.number(p, flow, fromClient, Field.DNP3_DESTINATION, Bytes.u16le(b, off + 4));
            sink.number(p, flow, fromClient, Field.DNP3_SOURCE, Bytes.u16le(b, off + 6));
            int linkFunction = control & 0x0F;
            boolean userData = (control & 0x40) != 0 ? (linkFunction == 3 || linkFunction == 4) : false;
            if (userData && user >= 1) application(p, flow, fromClient, b, off + 10, Math.min(user, 16), sink);
            off += frame;
        }
        return off - start;
    }

    private static void application(Packet p, Flow flow, boolean fromClient, byte[] b, int o, int n, FieldSink sink) {
        int transport = b[o] & 0xFF;
        boolean fir = (transport & 0x40) != 0, fin = (transport & 0x80) != 0;
        int slot = fromClient ? 0 : 1;
        if (fir) {
            if (n < 3) return;
            int function = b[o + 2] & 0xFF;
            int objectAt = function >= 129 ? 5 : 3;
            if (n > objectAt) sink.number(p, flow, fromClient, Field.DNP3_OBJECT_GROUP, b[o + objectAt] & 0xFF);
            if (fin) {
                sink.number(p, flow, fromClient, Field.DNP3_FUNCTION, function);
                if (flow != null) flow.state[slot] = 0;
            } else if (flow != null) {
                flow.state[slot] = function + 1;
            }
        } else if (fin && flow != null && flow.state[slot] != 0) {
            sink.number(p, flow, fromClient, Field.DNP3_FUNCTION, flow.state[slot] - 1);
            flow.state[slot] = 0;
        }
    }
}
