package dev.holdfast.sensor.decode;

/**
 * The decoded layers of the current frame, as offsets into the frame's buffer and primitives.
 * One instance is reused for every frame. Addresses are 128-bit (IPv4 as ::ffff:a.b.c.d) so IPv4
 * and IPv6 share one code path.
 */
public final class Packet {
    public static final int ETH_NONE = 0;

    public byte[] data;
    public long number;
    public long timestampNanos;
    public int frameLength;

    // link layer
    public boolean hasMac;
    public long srcMac;
    public long dstMac;
    public int vlan = -1;
    public int etherType;
    /** Offset and length of the layer-3 payload (after Ethernet/VLAN/SLL ...). */
    public int l3Offset;
    public int l3Length;

    // network layer: ipVersion 4 or 6, or 0 when the frame carried no IP
    public int ipVersion;
    public long srcHi, srcLo, dstHi, dstLo;
    public int ipProtocol = -1;
    public int ttl;
    public boolean fragment;

    // transport
    public int srcPort;
    public int dstPort;
    public int tcpFlags;
    public long tcpSeq;
    public long tcpAck;
    public int payloadOffset;
    public int payloadLength;

    /** Resets every layer before a new frame is decoded. */
    public void clear() {
        hasMac = false;
        srcMac = dstMac = 0;
        vlan = -1;
        etherType = 0;
        l3Offset = l3Length = 0;
        ipVersion = 0;
        srcHi = srcLo = dstHi = dstLo = 0;
        ipProtocol = -1;
        ttl = 0;
        fragment = false;
        srcPort = dstPort = 0;
        tcpFlags = 0;
        tcpSeq = 0;
        tcpAck = 0;
        payloadOffset = payloadLength = 0;
    }

    public boolean isTcp() {
        return ipProtocol == 6;
    }

    public boolean isUdp() {
        return ipProtocol == 17;
    }

    public static final int TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10;
}
