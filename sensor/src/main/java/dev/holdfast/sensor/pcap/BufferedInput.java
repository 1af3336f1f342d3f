package dev.holdfast.sensor.pcap;

import java.io.IOException;
import java.io.InputStream;

/**
 * A refillable window over a stream, so records are parsed in place: the frame handed out points
 * into {@link #buf}. Compacts when a record would cross the end. One buffer for the reader's life.
 */
final class BufferedInput {
    final byte[] buf;
    int pos;
    int limit;
    private final InputStream in;
    private boolean eof;

    BufferedInput(InputStream in, int capacity) {
        this.in = in;
        this.buf = new byte[capacity];
    }

    /** Makes {@code n} bytes available at {@link #pos}; false if the stream ends first. */
    boolean ensure(int n) throws IOException {
        if (limit - pos >= n) return true;
        if (n > buf.length) return false;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        while (limit < n && !eof) {
            int r = in.read(buf, limit, buf.length - limit);
            if (r < 0) eof = true;
            else limit += r;
        }
        return limit - pos >= n;
    }

    int available() {
        return limit - pos;
    }

    /** Skips {@code n} bytes, reading past the buffer if needed; false if the stream ends first. */
    boolean skip(long n) throws IOException {
        long inBuf = Math.min(n, limit - pos);
        pos += (int) inBuf;
        n -= inBuf;
        while (n > 0) {
            if (!ensure((int) Math.min(n, buf.length))) {
                pos = limit;
                return false;
            }
            int step = (int) Math.min(n, limit - pos);
            pos += step;
            n -= step;
        }
        return true;
    }

    void close() throws IOException {
        in.close();
    }
}
