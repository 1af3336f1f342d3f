package dev.holdfast.sensor.decode;

/**
 * Flows by 5-tuple (either direction) in a chained hash over preallocated slots, with LRU
 * eviction when full: lookups and hits allocate nothing; a new flow reuses an evicted one's
 * object. The evicted flow is handed to the {@link Eviction} first so its counters are kept.
 */
public final class FlowTable {
    /** Told about a flow just before its slot is reused (and, at the end, about every live flow). */
    public interface Eviction {
        void evicted(Flow flow);
    }

    private final Flow[] slots;
    private final int[] buckets;
    private final int mask;
    private int size;
    private int lruHead = -1, lruTail = -1;
    private final Eviction eviction;
    public long evictions;

    public FlowTable(int capacity, Eviction eviction) {
        if (capacity < 16) throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 16)");
        this.slots = new Flow[capacity];
        int b = Integer.highestOneBit(capacity - 1) << 1;
        this.buckets = new int[b];
        java.util.Arrays.fill(buckets, -1);
        this.mask = b - 1;
        this.eviction = eviction;
    }

    public int size() {
        return size;
    }

    private static int hash(Packet p) {
        // symmetric in the two endpoints, so both directions land in one bucket
        long a = p.srcHi * 31 + p.srcLo + p.srcPort;
        long c = p.dstHi * 31 + p.dstLo + p.dstPort;
        long h = (a ^ c) * 0x9E3779B97F4A7C15L + (a + c) + p.ipProtocol;
        return (int) (h ^ (h >>> 29) ^ (h >>> 41));
    }

    private static boolean matches(Flow f, Packet p) {
        if (f.protocol != p.ipProtocol) return false;
        boolean fwd = f.clientLo == p.srcLo && f.clientHi == p.srcHi && f.clientPort == p.srcPort
                && f.serverLo == p.dstLo && f.serverHi == p.dstHi && f.serverPort == p.dstPort;
        if (fwd) return true;
        return f.clientLo == p.dstLo && f.clientHi == p.dstHi && f.clientPort == p.dstPort
                && f.serverLo == p.srcLo && f.serverHi == p.srcHi && f.serverPort == p.srcPort;
    }

    /** The flow of {@code p}, or null if there is none yet. Marks it most recently used. */
    public Flow find(Packet p) {
        int h = hash(p);
        for (int i = buckets[h & mask]; i >= 0; i = slots[i].bucketNext) {
            Flow f = slots[i];
            if (f.hash == h && matches(f, p)) {
                touch(i);
                return f;
            }
        }
        return null;
    }

    /** Creates the flow of {@code p} with {@code p}'s source as the client unless {@code srcIsServer}. */
    public Flow create(Packet p, boolean srcIsServer) {
        int idx;
        if (size < slots.length) {
            idx = size++;
            slots[idx] = new Flow();
        } else {
            idx = lruHead;
            Flow old = slots[idx];
            eviction.evicted(old);
            evictions++;
            unlinkBucket(idx);
            unlinkLru(idx);
        }
        Flow f = slots[idx];
        f.reset();
        f.hash = hash(p);
        f.protocol = p.ipProtocol;
        if (srcIsServer) {
            f.clientHi = p.dstHi; f.clientLo = p.dstLo; f.clientPort = p.dstPort;
            f.serverHi = p.srcHi; f.serverLo = p.srcLo; f.serverPort = p.srcPort;
            f.clientMac = p.dstMac; f.serverMac = p.srcMac;
        } else {
            f.clientHi = p.srcHi; f.clientLo = p.srcLo; f.clientPort = p.srcPort;
            f.serverHi = p.dstHi; f.serverLo = p.dstLo; f.serverPort = p.dstPort;
            f.clientMac = p.srcMac; f.serverMac = p.dstMac;
        }
        f.firstSeenNanos = p.timestampNanos;
        f.live = true;
        int b = f.hash & mask;
        f.bucketNext = buckets[b];
        buckets[b] = idx;
        linkTail(idx);
        return f;
    }

    /** Hands every live flow to the eviction callback (end of a capture), keeping them in the table. */
    public void drain() {
        for (int i = lruHead; i >= 0; i = slots[i].lruNext) eviction.evicted(slots[i]);
    }

    private void unlinkBucket(int idx) {
        Flow f = slots[idx];
        int b = f.hash & mask;
        if (buckets[b] == idx) {
            buckets[b] = f.bucketNext;
        } else {
            for (int i = buckets[b]; i >= 0; i = slots[i].bucketNext) {
                if (slots[i].bucketNext == idx) {
                    slots[i].bucketNext = f.bucketNext;
                    break;
                }
            }
        }
        f.bucketNext = -1;
    }

    private void touch(int idx) {
        if (idx == lruTail) return;
        unlinkLru(idx);
        linkTail(idx);
    }

    private void unlinkLru(int idx) {
        Flow f = slots[idx];
        if (f.lruPrev >= 0) slots[f.lruPrev].lruNext = f.lruNext;
        else lruHead = f.lruNext;
        if (f.lruNext >= 0) slots[f.lruNext].lruPrev = f.lruPrev;
        else lruTail = f.lruPrev;
        f.lruPrev = f.lruNext = -1;
    }

    private void linkTail(int idx) {
        Flow f = slots[idx];
        f.lruPrev = lruTail;
        f.lruNext = -1;
        if (lruTail >= 0) slots[lruTail].lruNext = idx;
        lruTail = idx;
        if (lruHead < 0) lruHead = idx;
    }
}
