package dev.holdfast.sensor.pcap;

import java.io.Closeable;
import java.io.IOException;

/**
 * Reads frames from a capture, one at a time, into a reused {@link Frame}. Malformed or truncated
 * input never throws: it ends the capture (or skips the bad block where the format allows it) and
 * is counted in {@link #stats()}. Only I/O errors of the underlying stream are thrown.
 */
public interface CaptureReader extends Closeable {
    /** Fills {@code frame} with the next frame; false at the end of the capture (or at a fatal format error). */
    boolean next(Frame frame) throws IOException;

    CaptureStats stats();

    /** Largest frame accepted; bigger records are counted as malformed. */
    int MAX_FRAME = 262_144;
}
