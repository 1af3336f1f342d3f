package dev.holdfast.sensor.pcap;

import java.io.IOException;

/**
 * Classic libpcap files: both byte orders, micro- and nanosecond timestamps. A record whose
 * length exceeds {@link CaptureReader#MAX_FRAME} (or the file's snap length by far) ends reading,
 * because pcap has no way to resynchronise after a corrupt record header.
 */
public final class PcapReader implements CaptureReader {
    public static final int MAGIC_MICRO = 0xa1b2c3d4;
    public static final int MAGIC_NANO = 0xa1b23c4d;

    private final BufferedInput in;
    private final boolean swapped;
    private final boolean nanos;
    private final int linkType;
    private final CaptureStats stats = new CaptureStats();

    PcapReader(BufferedInput in) throws IOException {
        this.in = in;
        if (!in.ensure(24)) throw new IOException("pcap: file header is shorter than 24 bytes");
        int magic = Bytes.i32be(in.buf, in.pos);
        switch (magic) {
            case MAGIC_MICRO -> { swapped = false; nanos = false; }
            case MAGIC_NANO -> { swapped = false; nanos = true; }
            case 0xd4c3b2a1 -> { swapped = true; nanos = false; }
            case 0x4d3cb2a1 -> { swapped = true; nanos = true; }
            default -> throw new IOException("pcap: magic 0x" + Integer.toHexString(magic) + " is not a pcap file");
        }
        linkType = i32(in.pos + 20) & 0xFFFF;
        in.pos += 24;
    }

    private int i32(int at) {
        return swapped ? Bytes.i32le(in.buf, at) : Bytes.i32be(in.buf, at);
    }

    @Override
    public boolean next(Frame frame) throws IOException {
        if (stats.stopReason != null) return false;
        if (!in.ensure(16)) {
            if (in.available() > 0) stop("file ends inside a record header", true);
            return false;
        }
        int p = in.pos;
        long sec = i32(p) & 0xFFFFFFFFL;
        long frac = i32(p + 4) & 0xFFFFFFFFL;
        int incl = i32(p + 8);
        int orig = i32(p + 12);
        if (incl < 0 || incl > MAX_FRAME) {
            stats.malformedRecords++;
            stop("record length " + Integer.toUnsignedString(incl) + " exceeds the limit " + MAX_FRAME, false);
            return false;
        }
        if (!in.ensure(16 + incl)) {
            stop("file ends inside a record of " + incl + " bytes", true);
            return false;
        }
        p = in.pos;
        long ts = sec * 1_000_000_000L + (nanos ? frac : frac * 1000L);
        frame.set(in.buf, p + 16, incl, Math.max(orig, incl), ts, linkType);
        frame.interfaceId = 0;
        frame.number = ++stats.frames;
        stats.bytes += incl;
        in.pos = p + 16 + incl;
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
