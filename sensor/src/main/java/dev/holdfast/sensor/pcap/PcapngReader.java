package dev.holdfast.sensor.pcap;

import java.io.IOException;

/**
 * pcapng (draft-ietf-opsawg-pcapng): section headers in either byte order, any number of
 * interfaces with their own link type and timestamp resolution, enhanced, simple and obsolete
 * packet blocks. Unknown blocks are skipped by their length; a block whose length is impossible
 * ends reading (counted), since the next block cannot be found.
 */
public final class PcapngReader implements CaptureReader {
    static final int SHB = 0x0A0D0D0A;
    private static final int IDB = 1, OPB = 2, SPB = 3, EPB = 6;
    private static final int MAX_INTERFACES = 1024;
    private static final int MAX_BLOCK = MAX_FRAME + 4096;

    private final BufferedInput in;
    private boolean swapped;
    private final CaptureStats stats = new CaptureStats();
    private final int[] linkTypes = new int[MAX_INTERFACES];
    /** Per interface: units per second of its timestamps (10^6 unless if_tsresol says otherwise). */
    private final long[] unitsPerSecond = new long[MAX_INTERFACES];
    private int interfaces;

    PcapngReader(BufferedInput in) throws IOException {
        this.in = in;
        if (!in.ensure(12) || Bytes.i32be(in.buf, in.pos) != SHB) throw new IOException("pcapng: no section header block at the start");
    }

    private int i32(int at) {
        return swapped ? Bytes.i32le(in.buf, at) : Bytes.i32be(in.buf, at);
    }

    private int u16(int at) {
        return swapped ? Bytes.u16le(in.buf, at) : Bytes.u16be(in.buf, at);
    }

    @Override
    public boolean next(Frame frame) throws IOException {
        while (stats.stopReason == null) {
            if (!in.ensure(12)) {
                if (in.available() > 0) stop("file ends inside a block header", true);
                return false;
            }
            int p = in.pos;
            int type = Bytes.i32be(in.buf, p);
            if (type == SHB) {
                int bom = Bytes.i32be(in.buf, p + 8);
                if (bom == 0x1A2B3C4D) swapped = false;
                else if (bom == 0x4D3C2B1A) swapped = true;
                else {
                    stats.malformedRecords++;
                    stop("section header byte-order magic 0x" + Integer.toHexString(bom) + " is neither order", false);
                    return false;
                }
                interfaces = 0;
            } else {
                type = i32(p);
            }
            int len = i32(p + 4);
            if (len < 12 || (len & 3) != 0 || len > MAX_BLOCK) {
                stats.malformedRecords++;
                stop("block length " + Integer.toUnsignedString(len) + " is not a multiple of 4 in [12, " + MAX_BLOCK + "]", false);
                return false;
            }
            if (!in.ensure(len)) {
                stop("file ends inside a block of " + len + " bytes", true);
                return false;
            }
            p = in.pos;
            in.pos = p + len;
            switch (type) {
                case SHB -> { }
                case IDB -> interfaceBlock(p, len);
                case EPB -> {
                    if (packet(frame, p, len, i32(p + 8), i32(p + 12), i32(p + 16), i32(p + 20), i32(p + 24), 28)) return true;
                }
                case OPB -> {
                    if (packet(frame, p, len, u16(p + 8), i32(p + 12), i32(p + 16), i32(p + 20), i32(p + 24), 28)) return true;
                }
                case SPB -> {
                    if (interfaces == 0) { stats.malformedRecords++; continue; }
                    int orig = i32(p + 8);
                    int cap = Math.min(orig < 0 ? Integer.MAX_VALUE : orig, len - 16);
                    frame.set(in.buf, p + 12, cap, Math.max(orig, cap), 0, linkTypes[0]);
                    frame.interfaceId = 0;
                    frame.number = ++stats.frames;
                    stats.bytes += cap;
                    return true;
                }
                default -> stats.skippedBlocks++;
            }
        }
        return false;
    }

    private void interfaceBlock(int p, int len) {
        if (len < 20 || interfaces >= MAX_INTERFACES) {
            stats.malformedRecords++;
            return;
        }
        int id = interfaces++;
        linkTypes[id] = u16(p + 8);
        unitsPerSecond[id] = 1_000_000L;
        int o = p + 16;
        int end = p + len - 4;
        while (o + 4 <= end) {
            int code = u16(o);
            int olen = u16(o + 2);
            if (code == 0 || o + 4 + olen > end) break;
            if (code == 9 && olen >= 1) {
                int r = in.buf[o + 4] & 0xFF;
                int exp = r & 0x7F;
                long units = 1;
                if ((r & 0x80) != 0) units = exp >= 62 ? Long.MAX_VALUE : 1L << exp;
                else for (int i = 0; i < Math.min(exp, 18); i++) units *= 10;
                unitsPerSecond[id] = Math.max(1, units);
            }
            o += 4 + ((olen + 3) & ~3);
        }
    }

    private boolean packet(Frame frame, int p, int len, int iface, int tsHigh, int tsLow, int cap, int orig, int header) {
        if (iface < 0 || iface >= interfaces || cap < 0 || cap > len - header - 4) {
            stats.malformedRecords++;
            return false;
        }
        long ts = ((long) tsHigh << 32) | (tsLow & 0xFFFFFFFFL);
        long units = unitsPerSecond[iface];
        long nanos;
        if (units == 1_000_000_000L) nanos = ts;
        else if (units == 1_000_000L) nanos = ts * 1000L;
        else nanos = (ts / units) * 1_000_000_000L + (ts % units) * 1_000_000_000L / units;
        frame.set(in.buf, p + header, cap, Math.max(orig, cap), nanos, linkTypes[iface]);
        frame.interfaceId = iface;
        frame.number = ++stats.frames;
        stats.bytes += cap;
        return true;
    }

    private void stop(String reason, boolean truncated) {
        stats.stopReason = reason;
        if (truncated) stats.truncated++;
    }

    @Override
    public CaptureStats stats() {
        return stats;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
