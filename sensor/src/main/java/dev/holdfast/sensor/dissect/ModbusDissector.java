package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.pcap.Bytes;

/** Modbus/TCP (MBAP header, Modbus Application Protocol v1.1b3 §4.1): unit id and function code of each PDU. */
public final class ModbusDissector implements Dissector {
    /** MBAP length counts the unit id and the PDU: at most 1 + 253. */
    public static final int MAX_LENGTH = 254;

    public static boolean isWrite(int function) {
        return switch (function & 0x7F) {
            case 5, 6, 15, 16, 21, 22, 23 -> true;
            default -> false;
        };
    }

    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        int start = off, end = off + len;
        while (end - off >= 7) {
            int protocolId = Bytes.u16be(b, off + 2);
            int length = Bytes.u16be(b, off + 4);
            if (protocolId != 0 || length < 2 || length > MAX_LENGTH) {
                sink.malformed(p, flow, AppProtocol.MODBUS);
                return len; // not Modbus framing: drop what we have and resynchronise on the next segment
            }
            if (end - off < 6 + length) break;
            int function = b[off + 7] & 0xFF;
            sink.number(p, flow, fromClient, Field.MODBUS_UNIT_ID, b[off + 6] & 0xFF);
            sink.number(p, flow, fromClient, Field.MODBUS_FUNCTION, function);
            if ((function & 0x80) != 0 && length >= 3) sink.number(p, flow, fromClient, Field.MODBUS_EXCEPTION, b[off + 8] & 0xFF);
            off += 6 + length;
        }
        return off - start;
    }
}
