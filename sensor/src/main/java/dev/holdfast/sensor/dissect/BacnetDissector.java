package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.pcap.Bytes;

/** BACnet/IP (ASHRAE 135 Annex J BVLC, clause 6 NPDU, clause 20 APDU): service choices and I-Am device instances. */
public final class BacnetDissector implements Dissector {
    /** Confirmed services that change a device: write property (15), write multiple (16), reinitialize (20), device communication control (17). */
    public static boolean isWrite(int confirmedService) {
        return confirmedService == 15 || confirmedService == 16 || confirmedService == 17 || confirmedService == 20
                || confirmedService == 7 || confirmedService == 8;
    }

    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        int end = off + len;
        if (len < 4 || (b[off] & 0xFF) != 0x81) return len;
        int function = b[off + 1] & 0xFF;
        int o;
        if (function == 0x0A || function == 0x0B || function == 0x09) o = off + 4;
        else if (function == 0x04) o = off + 10;
        else return len;
        end = Math.min(end, off + Bytes.u16be(b, off + 2));
        if (end - o < 2 || (b[o] & 0xFF) != 1) return len;
        int control = b[o + 1] & 0xFF;
        o += 2;
        if ((control & 0x20) != 0) { // destination specifier
            if (end - o < 3) return len;
            o += 3 + (b[o + 2] & 0xFF);
        }
        if ((control & 0x08) != 0) { // source specifier
            if (end - o < 3) return len;
            o += 3 + (b[o + 2] & 0xFF);
        }
        if ((control & 0x20) != 0) o += 1; // hop count
        if ((control & 0x80) != 0 || end - o < 2) return len; // network layer message, no APDU
        int pduType = (b[o] & 0xF0) >> 4;
        boolean segmented = (b[o] & 0x08) != 0;
        switch (pduType) {
            case 0 -> { // confirmed request
                int at = o + 3 + (segmented ? 2 : 0);
                if (at < end) sink.number(p, flow, fromClient, Field.BACNET_CONFIRMED_SERVICE, b[at] & 0xFF);
            }
            case 1 -> { // unconfirmed request
                int service = b[o + 1] & 0xFF;
                sink.number(p, flow, fromClient, Field.BACNET_UNCONFIRMED_SERVICE, service);
                if (service == 0 && end - o >= 7 && (b[o + 2] & 0xFF) == 0xC4) {
                    sink.number(p, flow, fromClient, Field.BACNET_DEVICE_INSTANCE, Bytes.i32be(b, o + 3) & 0x3FFFFF);
                }
            }
            case 2, 5 -> { // simple ack, error
                if (end - o >= 3) sink.number(p, flow, fromClient, Field.BACNET_CONFIRMED_SERVICE, b[o + 2] & 0xFF);
            }
            case 3 -> { // complex ack
                int at = o + 2 + (segmented ? 2 : 0);
                if (at < end) sink.number(p, flow, fromClient, Field.BACNET_CONFIRMED_SERVICE, b[at] & 0xFF);
            }
            default -> { }
        }
        return len;
    }
}
