package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.pcap.Bytes;

/**
 * EtherNet/IP encapsulation (ODVA CIP Vol. 2 §2): the command, the CIP service of SendRRData and
 * SendUnitData items, services embedded in Unconnected Send (0x52) and Multiple Service Packet
 * (0x0A), and the product name of a ListIdentity reply.
 */
public final class EnipDissector implements Dissector {
    public static final int CMD_LIST_IDENTITY = 0x63, CMD_SEND_RR_DATA = 0x6F, CMD_SEND_UNIT_DATA = 0x70;
    private static final int MAX_LENGTH = 65_511;
    private static final int MAX_SERVICES = 64;

    /** CIP services that change a device: set attribute(s), write tag, reset, start/stop. */
    public static boolean isWrite(int service) {
        return switch (service & 0x7F) {
            case 0x02, 0x04, 0x05, 0x06, 0x07, 0x10, 0x4D, 0x4E, 0x53 -> true;
            default -> false;
        };
    }

    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        int start = off, end = off + len;
        while (end - off >= 24) {
            int command = Bytes.u16le(b, off);
            int length = Bytes.u16le(b, off + 2);
            if (length > MAX_LENGTH) {
                sink.malformed(p, flow, AppProtocol.ENIP);
                return len;
            }
            if (end - off < 24 + length) {
                if (flow == null) { // a datagram cut short: still report the command
                    sink.number(p, flow, fromClient, Field.ENIP_COMMAND, command);
                    return len;
                }
                break;
            }
            sink.number(p, flow, fromClient, Field.ENIP_COMMAND, command);
            int data = off + 24, dataEnd = data + length;
            if (command == CMD_SEND_RR_DATA || command == CMD_SEND_UNIT_DATA) items(p, flow, fromClient, b, data + 6, dataEnd, sink, false);
            else if (command == CMD_LIST_IDENTITY) items(p, flow, fromClient, b, data, dataEnd, sink, true);
            off = dataEnd;
        }
        return off - start;
    }

    private static void items(Packet p, Flow flow, boolean fromClient, byte[] b, int o, int end, FieldSink sink, boolean identity) {
        if (end - o < 2) return;
        int count = Bytes.u16le(b, o);
        o += 2;
        for (int i = 0; i < count && i < 16 && end - o >= 4; i++) {
            int type = Bytes.u16le(b, o);
            int len = Bytes.u16le(b, o + 2);
            int d = o + 4;
            if (end - d < len) return;
            if (type == 0xB2 && len >= 1) cip(p, flow, fromClient, b, d, d + len, sink, 0);
            else if (type == 0xB1 && len >= 3) cip(p, flow, fromClient, b, d + 2, d + len, sink, 0);
            else if (type == 0x0C && identity && len >= 33) {
                int nameLen = b[d + 32] & 0xFF;
                if (33 + nameLen <= len) sink.text(p, flow, fromClient, Field.ENIP_PRODUCT_NAME, b, d + 33, nameLen);
            }
            o = d + len;
        }
    }

    private static void cip(Packet p, Flow flow, boolean fromClient, byte[] b, int o, int end, FieldSink sink, int depth) {
        if (end - o < 1 || depth > 2) return;
        int service = b[o] & 0xFF;
        sink.number(p, flow, fromClient, Field.CIP_SERVICE, service & 0x7F);
        boolean response = (service & 0x80) != 0;
        if (response) {
            if ((service & 0x7F) == 0x0A && end - o >= 4) multiple(p, flow, fromClient, b, o + 4 + 2 * (b[o + 3] & 0xFF), end, sink, depth);
            return;
        }
        if (end - o < 2) return;
        int pathWords = b[o + 1] & 0xFF;
        int body = o + 2 + 2 * pathWords;
        if (body > end) return;
        if (service == 0x52 && end - body >= 4) {
            int size = Bytes.u16le(b, body + 2);
            int emb = body + 4;
            if (size <= end - emb) cip(p, flow, fromClient, b, emb, emb + size, sink, depth + 1);
        } else if (service == 0x0A) {
            multiple(p, flow, fromClient, b, body, end, sink, depth);
        }
    }

    private static void multiple(Packet p, Flow flow, boolean fromClient, byte[] b, int o, int end, FieldSink sink, int depth) {
        if (end - o < 2) return;
        int n = Bytes.u16le(b, o);
        for (int i = 0; i < n && i < MAX_SERVICES && o + 2 + 2 * i + 2 <= end; i++) {
            int at = o + Bytes.u16le(b, o + 2 + 2 * i);
            int next = (i + 1 < n && o + 2 + 2 * (i + 1) + 2 <= end) ? o + Bytes.u16le(b, o + 2 + 2 * (i + 1)) : end;
            if (at < o || at >= end || next > end || next <= at) next = end;
            if (at >= o && at < end) cip(p, flow, fromClient, b, at, next, sink, depth + 1);
        }
    }
}
