package dev.holdfast.sensor.pcap;

/**
 * One captured frame as a view into a buffer the reader owns and reuses: valid only until the
 * reader's next call. Mutable on purpose, so reading a capture allocates nothing per packet.
 */
public final class Frame {
    /** The buffer holding the frame bytes at {@link #offset}; owned by the reader. */
    public byte[] data;
    public int offset;
    /** Bytes captured (may be less than {@link #originalLength} when the snap length cut the frame). */
    public int capturedLength;
    public int originalLength;
    /** Nanoseconds since the Unix epoch. */
    public long timestampNanos;
    /** The LINKTYPE_ value of the interface the frame came from. */
    public int linkType;
    public int interfaceId;
    /** 1-based frame number in the capture, as tshark counts them. */
    public long number;

    public void set(byte[] data, int offset, int capturedLength, int originalLength, long timestampNanos, int linkType) {
        this.data = data;
        this.offset = offset;
        this.capturedLength = capturedLength;
        this.originalLength = originalLength;
        this.timestampNanos = timestampNanos;
        this.linkType = linkType;
    }
}
