package dev.holdfast.sensor.decode;

import dev.holdfast.sensor.pcap.Bytes;
import dev.holdfast.sensor.pcap.Frame;

/**
 * Decodes link, network and transport headers of a frame into a {@link Packet} without copying
 * (except IPv4 fragments, which are reassembled into a bounded pool). Every bound is checked
 * against the captured length; a frame that does not fit is counted and left partly decoded.
 */
public final class PacketDecoder {
    public static final int ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_ARP = 0x0806, ETHERTYPE_IPV6 = 0x86DD,
            ETHERTYPE_LLDP = 0x88CC;
    /** Not an EtherType: an 802.3/LLC frame with Cisco's SNAP OUI and PID 0x2000 (CDP). */
    public static final int PSEUDO_ETHERTYPE_CDP = 0x1_2000;
    private static final int MAX_VLAN_TAGS = 4, MAX_IPV6_EXTENSIONS = 8;

    private final DecodeStats stats;
    private final Ipv4Reassembler reassembler;

    public PacketDecoder(DecodeStats stats) {
        this.stats = stats;
        this.reassembler = new Ipv4Reassembler(stats);
    }

    /** Decodes as far as the frame allows; returns false if not even the link layer was usable. */
    public boolean decode(Frame f, Packet p) {
        p.clear();
        p.data = f.data;
        p.number = f.number;
        p.timestampNanos = f.timestampNanos;
        p.frameLength = f.originalLength;
        byte[] b = f.data;
        int o = f.offset;
        int end = f.offset + f.capturedLength;
        switch (f.linkType) {
            case 1 -> { return ethernet(p, b, o, end); }
            case 0, 108 -> { // BSD loopback: 4-byte address family, host or network order
                if (end - o < 4) return truncated();
                if (end - o < 5) return truncated();
                // AF_INET6 differs between BSDs (24, 28, 30); the IP version nibble is unambiguous
                return network(p, b, o + 4, end, ((b[o + 4] & 0xF0) == 0x60) ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
            }
            case 101, 12, 14, 228, 229 -> {
                if (end - o < 1) return truncated();
                return network(p, b, o, end, ((b[o] & 0xF0) == 0x60) ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
            }
            case 113 -> { // Linux cooked v1
                if (end - o < 16) return truncated();
                return network(p, b, o + 16, end, Bytes.u16be(b, o + 14));
            }
            case 276 -> { // Linux cooked v2
                if (end - o < 20) return truncated();
                return network(p, b, o + 20, end, Bytes.u16be(b, o));
            }
            case 9, 50 -> { // PPP, optionally with HDLC address/control
                if (end - o < 2) return truncated();
                if ((b[o] & 0xFF) == 0xFF && (b[o + 1] & 0xFF) == 0x03) o += 2;
                if (end - o < 2) return truncated();
                int proto = Bytes.u16be(b, o);
                if (proto == 0x0021) return network(p, b, o + 2, end, ETHERTYPE_IPV4);
                if (proto == 0x0057) return network(p, b, o + 2, end, ETHERTYPE_IPV6);
                return true;
            }
            default -> {
                stats.unsupportedLinkType++;
                return false;
            }
        }
    }

    private boolean truncated() {
        stats.truncatedFrames++;
        return false;
    }

    private boolean ethernet(Packet p, byte[] b, int o, int end) {
        if (end - o < 14) return truncated();
        p.hasMac = true;
        p.dstMac = Bytes.u48be(b, o);
        p.srcMac = Bytes.u48be(b, o + 6);
        int type = Bytes.u16be(b, o + 12);
        o += 14;
        for (int tags = 0; (type == 0x8100 || type == 0x88A8 || type == 0x9100) && tags < MAX_VLAN_TAGS; tags++) {
            if (end - o < 4) return truncated();
            p.vlan = Bytes.u16be(b, o) & 0x0FFF;
            type = Bytes.u16be(b, o + 2);
            o += 4;
        }
        if (type < 0x0600) { // 802.3 length: LLC, maybe SNAP
            int llcEnd = Math.min(end, o + type);
            if (llcEnd - o >= 8 && (b[o] & 0xFF) == 0xAA && (b[o + 1] & 0xFF) == 0xAA && (b[o + 2] & 0xFF) == 0x03) {
                int oui = Bytes.u24be(b, o + 3);
                int pid = Bytes.u16be(b, o + 6);
                if (oui == 0x00000C && pid == 0x2000) {
                    p.etherType = PSEUDO_ETHERTYPE_CDP;
                    p.l3Offset = o + 8;
                    p.l3Length = llcEnd - o - 8;
                    return true;
                }
                if (oui == 0) return network(p, b, o + 8, end, pid);
            }
            p.etherType = 0;
            return true;
        }
        return network(p, b, o, end, type);
    }

    private boolean network(Packet p, byte[] b, int o, int end, int type) {
        p.etherType = type;
        p.l3Offset = o;
        p.l3Length = Math.max(0, end - o);
        if (type == ETHERTYPE_IPV4) return ipv4(p, b, o, end);
        if (type == ETHERTYPE_IPV6) return ipv6(p, b, o, end);
        return true;
    }

    private boolean ipv4(Packet p, byte[] b, int o, int end) {
        if (end - o < 20) return truncated();
        int vihl = b[o] & 0xFF;
        int ihl = (vihl & 0x0F) * 4;
        int total = Bytes.u16be(b, o + 2);
        if ((vihl >> 4) != 4 || ihl < 20 || total < ihl || end - o < ihl) {
            stats.badIpHeaders++;
            return false;
        }
        p.ipVersion = 4;
        p.ttl = b[o + 8] & 0xFF;
        p.ipProtocol = b[o + 9] & 0xFF;
        p.srcHi = 0;
        p.srcLo = Addresses.v4(Bytes.i32be(b, o + 12));
        p.dstHi = 0;
        p.dstLo = Addresses.v4(Bytes.i32be(b, o + 16));
        int payloadEnd = Math.min(end, o + total);
        int flagsOffset = Bytes.u16be(b, o + 6);
        boolean more = (flagsOffset & 0x2000) != 0;
        int fragOffset = (flagsOffset & 0x1FFF) * 8;
        if (more || fragOffset != 0) {
            p.fragment = true;
            stats.fragments++;
            if (payloadEnd < o + total) return truncated(); // a cut fragment cannot be reassembled
            int len = reassembler.add(p, Bytes.u16be(b, o + 4), fragOffset, more, b, o + ihl, total - ihl);
            if (len < 0) return true;
            return transport(p, reassembler.buffer(), 0, len);
        }
        return transport(p, b, o + ihl, payloadEnd);
    }

    private boolean ipv6(Packet p, byte[] b, int o, int end) {
        if (end - o < 40) return truncated();
        if (((b[o] & 0xF0) >> 4) != 6) {
            stats.badIpHeaders++;
            return false;
        }
        p.ipVersion = 6;
        int payload = Bytes.u16be(b, o + 4);
        int next = b[o + 6] & 0xFF;
        p.ttl = b[o + 7] & 0xFF;
        p.srcHi = Bytes.i64be(b, o + 8);
        p.srcLo = Bytes.i64be(b, o + 16);
        p.dstHi = Bytes.i64be(b, o + 24);
        p.dstLo = Bytes.i64be(b, o + 32);
        int payloadEnd = payload == 0 ? end : Math.min(end, o + 40 + payload); // 0: jumbogram, take what was captured
        o += 40;
        for (int i = 0; i < MAX_IPV6_EXTENSIONS; i++) {
            switch (next) {
                case 0, 43, 60, 135 -> {
                    if (payloadEnd - o < 8) return truncated();
                    next = b[o] & 0xFF;
                    o += ((b[o + 1] & 0xFF) + 1) * 8;
                }
                case 51 -> {
                    if (payloadEnd - o < 8) return truncated();
                    next = b[o] & 0xFF;
                    o += ((b[o + 1] & 0xFF) + 2) * 4;
                }
                case 44 -> {
                    if (payloadEnd - o < 8) return truncated();
                    p.fragment = true;
                    stats.fragments++;
                    // IPv6 fragments are not reassembled: only a first fragment's headers are read.
                    if ((Bytes.u16be(b, o + 2) & 0xFFF8) != 0) {
                        p.ipProtocol = b[o] & 0xFF;
                        return true;
                    }
                    next = b[o] & 0xFF;
                    o += 8;
                }
                default -> {
                    if (o > payloadEnd) return truncated();
                    p.ipProtocol = next;
                    return transport(p, b, o, payloadEnd);
                }
            }
        }
        stats.badIpHeaders++;
        return false;
    }

    private boolean transport(Packet p, byte[] b, int o, int end) {
        p.data = b;
        switch (p.ipProtocol) {
            case 6 -> {
                if (end - o < 20) return badTransport();
                int hl = ((b[o + 12] & 0xF0) >> 4) * 4;
                if (hl < 20 || end - o < hl) return badTransport();
                p.srcPort = Bytes.u16be(b, o);
                p.dstPort = Bytes.u16be(b, o + 2);
                p.tcpSeq = Bytes.i32be(b, o + 4) & 0xFFFFFFFFL;
                p.tcpAck = Bytes.i32be(b, o + 8) & 0xFFFFFFFFL;
                p.tcpFlags = b[o + 13] & 0x3F;
                p.payloadOffset = o + hl;
                p.payloadLength = end - o - hl;
            }
            case 17 -> {
                if (end - o < 8) return badTransport();
                p.srcPort = Bytes.u16be(b, o);
                p.dstPort = Bytes.u16be(b, o + 2);
                int len = Bytes.u16be(b, o + 4);
                p.payloadOffset = o + 8;
                p.payloadLength = (len >= 8 && o + len <= end) ? len - 8 : end - o - 8;
            }
            default -> {
                p.payloadOffset = o;
                p.payloadLength = Math.max(0, end - o);
            }
        }
        return true;
    }

    private boolean badTransport() {
        stats.badTransportHeaders++;
        return false;
    }
}
