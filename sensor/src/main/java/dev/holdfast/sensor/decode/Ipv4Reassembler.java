package dev.holdfast.sensor.decode;

/**
 * IPv4 fragment reassembly (RFC 791) in a fixed pool: at most {@link #SLOTS} datagrams in
 * progress, each up to 65,535 bytes; the oldest is dropped to make room (counted). Overlapping
 * fragments keep the first copy (the BSD policy would differ; we only need headers and names).
 */
final class Ipv4Reassembler {
    static final int SLOTS = 16;
    private static final int MAX = 65_535;

    private final DecodeStats stats;
    private final long[] keySrc = new long[SLOTS], keyDst = new long[SLOTS];
    private final int[] keyIdProto = new int[SLOTS];
    private final boolean[] used = new boolean[SLOTS];
    private final long[] started = new long[SLOTS];
    private final int[] received = new int[SLOTS];
    private final int[] total = new int[SLOTS];
    private final long[][] blocks = new long[SLOTS][(MAX / 8 + 64) / 64];
    private final byte[][] buffers = new byte[SLOTS][];
    private final byte[] done = new byte[MAX];
    private long clock;

    Ipv4Reassembler(DecodeStats stats) {
        this.stats = stats;
    }

    byte[] buffer() {
        return done;
    }

    /** Adds one fragment; returns the datagram's payload length once complete (in {@link #buffer()}), else -1. */
    int add(Packet p, int id, int offset, boolean more, byte[] b, int o, int len) {
        int idProto = (id << 8) | p.ipProtocol;
        int slot = -1, free = -1, oldest = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (used[i] && keySrc[i] == p.srcLo && keyDst[i] == p.dstLo && keyIdProto[i] == idProto) { slot = i; break; }
            if (!used[i] && free < 0) free = i;
            if (started[i] < started[oldest]) oldest = i;
        }
        if (slot < 0) {
            if (free < 0) {
                stats.fragmentsDropped++;
                free = oldest;
            }
            slot = free;
            used[slot] = true;
            keySrc[slot] = p.srcLo;
            keyDst[slot] = p.dstLo;
            keyIdProto[slot] = idProto;
            started[slot] = ++clock;
            received[slot] = 0;
            total[slot] = -1;
            java.util.Arrays.fill(blocks[slot], 0L);
            if (buffers[slot] == null) buffers[slot] = new byte[MAX];
        }
        if (offset + len > MAX || (more && (len & 7) != 0)) {
            stats.fragmentsDropped++;
            used[slot] = false;
            return -1;
        }
        if (!more) total[slot] = offset + len;
        long[] bits = blocks[slot];
        int fresh = 0;
        for (int at = offset; at < offset + len; at += 8) {
            int blk = at >> 3;
            long mask = 1L << (blk & 63);
            if ((bits[blk >> 6] & mask) == 0) {
                bits[blk >> 6] |= mask;
                int n = Math.min(8, offset + len - at);
                System.arraycopy(b, o + (at - offset), buffers[slot], at, n);
                fresh += n;
            }
        }
        received[slot] += fresh;
        if (total[slot] >= 0 && received[slot] >= total[slot]) {
            used[slot] = false;
            stats.reassembledDatagrams++;
            System.arraycopy(buffers[slot], 0, done, 0, total[slot]);
            return total[slot];
        }
        return -1;
    }

}
