package dev.holdfast.sensor.pcap;

/** Counters of one capture reader: frames read, and what was wrong with the file. */
public final class CaptureStats {
    public long frames;
    public long bytes;
    /** Records or blocks whose header made no sense (length beyond the limit, unknown interface ...). */
    public long malformedRecords;
    /** 1 when the file ended inside a record header or body. */
    public long truncated;
    /** Blocks of a type this reader does not use (pcapng name resolution, statistics ...). */
    public long skippedBlocks;
    /** Why reading stopped early, or null when it reached a clean end. */
    public String stopReason;

    @Override
    public String toString() {
        return "frames=" + frames + " malformed=" + malformedRecords + " truncated=" + truncated
                + (stopReason != null ? " stop=" + stopReason : "");
    }
}
