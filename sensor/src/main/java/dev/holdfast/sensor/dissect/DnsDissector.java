package dev.holdfast.sensor.dissect;

import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.pcap.Bytes;

/**
 * DNS (RFC 1035) and the protocols sharing its format: mDNS (RFC 6762), LLMNR (RFC 4795), NBNS
 * (RFC 1002, first-level encoded names). Query names and the owner names of A/AAAA answers;
 * compression pointers are followed at most {@link #MAX_POINTERS} times. Over TCP each message
 * has a two-byte length prefix.
 */
public final class DnsDissector implements Dissector {
    private static final int MAX_POINTERS = 32, MAX_NAME = 255, MAX_QUESTIONS = 32, MAX_ANSWERS = 64;
    private final boolean tcp;
    private final boolean nbns;
    private final byte[] name = new byte[MAX_NAME * 4 + 16];
    private int nameLen;
    private int nameEnd;

    public DnsDissector(boolean tcp, boolean nbns) {
        this.tcp = tcp;
        this.nbns = nbns;
    }

    @Override
    public int dissect(Packet p, Flow flow, boolean fromClient, byte[] b, int off, int len, FieldSink sink) {
        if (!tcp) {
            message(p, flow, fromClient, b, off, off + len, sink);
            return len;
        }
        int start = off, end = off + len;
        while (end - off >= 2) {
            int n = Bytes.u16be(b, off);
            if (end - off < 2 + n) break;
            message(p, flow, fromClient, b, off + 2, off + 2 + n, sink);
            off += 2 + n;
        }
        return off - start;
    }

    private void message(Packet p, Flow flow, boolean fromClient, byte[] b, int msg, int end, FieldSink sink) {
        if (end - msg < 12) {
            sink.malformed(p, flow, AppProtocol.DNS);
            return;
        }
        int qd = Bytes.u16be(b, msg + 4), an = Bytes.u16be(b, msg + 6);
        int o = msg + 12;
        for (int i = 0; i < qd && i < MAX_QUESTIONS; i++) {
            if (!readName(b, msg, o, end)) {
                sink.malformed(p, flow, AppProtocol.DNS);
                return;
            }
            sink.text(p, flow, fromClient, nbns ? Field.NBNS_NAME : Field.DNS_QUERY_NAME, name, 0, nameLen);
            o = nameEnd + 4;
            if (o > end) return;
        }
        for (int i = 0; i < an && i < MAX_ANSWERS; i++) {
            if (!readName(b, msg, o, end) || end - nameEnd < 10) return;
            int type = Bytes.u16be(b, nameEnd);
            int rdlen = Bytes.u16be(b, nameEnd + 8);
            if (type == 1 || type == 28 || (nbns && type == 0x20)) {
                sink.text(p, flow, fromClient, nbns ? Field.NBNS_NAME : Field.DNS_ANSWER_NAME, name, 0, nameLen);
            }
            o = nameEnd + 10 + rdlen;
            if (o > end) return;
        }
    }

    /** Reads the (possibly compressed) name at {@code o} into {@link #name}; sets {@link #nameEnd}. */
    private boolean readName(byte[] b, int msg, int o, int end) {
        nameLen = 0;
        nameEnd = -1;
        int jumps = 0;
        int labels = 0;
        while (true) {
            if (o >= end) return false;
            int l = b[o] & 0xFF;
            if (l == 0) {
                if (nameEnd < 0) nameEnd = o + 1;
                break;
            }
            if ((l & 0xC0) == 0xC0) {
                if (o + 1 >= end || ++jumps > MAX_POINTERS) return false;
                if (nameEnd < 0) nameEnd = o + 2;
                o = msg + (((l & 0x3F) << 8) | (b[o + 1] & 0xFF));
                continue;
            }
            if ((l & 0xC0) != 0 || o + 1 + l > end || ++labels > 128) return false;
            if (nbns && labels == 1 && l == 32) {
                appendNetbios(b, o + 1);
            } else {
                if (nameLen > 0) name[nameLen++] = '.';
                for (int i = 0; i < l; i++) {
                    if (nameLen >= MAX_NAME * 4) return false;
                    int c = b[o + 1 + i] & 0xFF;
                    if (c >= 0x21 && c < 0x7F && c != '\\') name[nameLen++] = (byte) c;
                    else { // escaped as \DDD, as dig and tshark print them
                        name[nameLen++] = '\\';
                        name[nameLen++] = (byte) ('0' + c / 100);
                        name[nameLen++] = (byte) ('0' + (c / 10) % 10);
                        name[nameLen++] = (byte) ('0' + c % 10);
                    }
                }
            }
            o += 1 + l;
        }
        if (nameLen == 0) {
            byte[] root = ROOT;
            System.arraycopy(root, 0, name, 0, root.length);
            nameLen = root.length;
        }
        return true;
    }

    private static final byte[] ROOT = "<Root>".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** NetBIOS first-level decoding: 32 letters 'A'+nibble to 16 bytes; trailing spaces dropped, suffix as {@code <xx>}. */
    private void appendNetbios(byte[] b, int o) {
        int start = nameLen;
        int suffix = 0;
        for (int i = 0; i < 16; i++) {
            int c = (((b[o + 2 * i] - 'A') & 0x0F) << 4) | ((b[o + 2 * i + 1] - 'A') & 0x0F);
            if (i == 15) suffix = c;
            else name[nameLen++] = (byte) (c >= 0x20 && c < 0x7F ? c : '?');
        }
        while (nameLen > start && name[nameLen - 1] == ' ') nameLen--;
        name[nameLen++] = '<';
        name[nameLen++] = (byte) Character.forDigit(suffix >> 4, 16);
        name[nameLen++] = (byte) Character.forDigit(suffix & 15, 16);
        name[nameLen++] = '>';
    }
}
