package dev.holdfast.sensor.decode;

import dev.holdfast.sensor.dissect.AppProtocol;

/**
 * One transport conversation (TCP, UDP or other IP protocol) between a client and a server
 * endpoint, with counters and the bounded per-direction TCP reassembly state. Instances are
 * recycled by {@link FlowTable} when evicted.
 */
public final class Flow {
    public long clientHi, clientLo, serverHi, serverLo;
    public int clientPort, serverPort, protocol;
    public long clientMac, serverMac;
    public long firstSeenNanos, lastSeenNanos;
    public final long[] packets = new long[2];
    public final long[] bytes = new long[2];
    public AppProtocol app = AppProtocol.UNKNOWN;
    /** Set once the application protocol was decided (by port or by the first payload). */
    public boolean appDecided;
    /** Scratch state for the flow's dissector (per direction where it needs it). */
    public final long[] state = new long[4];
    public final TcpDirection toServer = new TcpDirection();
    public final TcpDirection toClient = new TcpDirection();
    /** Set when the flow's first packet was a SYN without ACK (a real connection attempt). */
    public boolean sawSyn;
    public boolean sawSynAck;
    public boolean sawRst;

    // table linkage
    int bucketNext = -1;
    int lruPrev = -1, lruNext = -1;
    int hash;
    boolean live;

    void reset() {
        packets[0] = packets[1] = 0;
        bytes[0] = bytes[1] = 0;
        app = AppProtocol.UNKNOWN;
        appDecided = false;
        state[0] = state[1] = state[2] = state[3] = 0;
        toServer.reset();
        toClient.reset();
        sawSyn = sawSynAck = sawRst = false;
        clientMac = serverMac = 0;
    }

    public TcpDirection direction(boolean fromClient) {
        return fromClient ? toServer : toClient;
    }

    /** True if {@code p} travels from this flow's client to its server. */
    public boolean fromClient(Packet p) {
        return p.srcLo == clientLo && p.srcHi == clientHi && p.srcPort == clientPort
                && p.dstLo == serverLo && p.dstHi == serverHi && p.dstPort == serverPort;
    }

    /** Bounded reassembly buffer of one direction: only bytes a dissector has not consumed yet. */
    public static final class TcpDirection {
        public boolean synced;
        public long nextSeq;
        public byte[] buf;
        public int len;
        /** Set when bytes were lost (gap or overflow); the dissector resynchronises. */
        public boolean lostBytes;
        /** Highest sequence number the peer acknowledged for this direction, if {@link #ackKnown}. */
        public long ackedByPeer;
        public boolean ackKnown;

        void reset() {
            synced = false;
            nextSeq = 0;
            len = 0;
            lostBytes = false;
            ackKnown = false;
            ackedByPeer = 0;
        }
    }
}
