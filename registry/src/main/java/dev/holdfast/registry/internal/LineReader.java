package dev.holdfast.registry.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads JSON Lines as raw bytes and knows the byte offset after each line, so an import can record
 * exactly where to continue. Lines end with {@code \n} (a {@code \r} before it is dropped); the last
 * line may lack it. A line longer than the limit is returned as {@link Line#tooLong()} and skipped to
 * its end without being held in memory.
 */
final class LineReader {
    /** One line: {@code bytes[0..length)}, valid until the next call; {@code endOffset} is after its newline. */
    record Line(byte[] bytes, int length, long endOffset, boolean tooLong) {
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[1 << 16];
    private int pos;
    private int limit;
    private long offset;
    private byte[] line = new byte[1024];

    LineReader(InputStream in, long startOffset, int maxLineBytes) {
        this.in = in;
        this.offset = startOffset;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or null at the end of the input. */
    Line next() throws IOException {
        int length = 0;
        boolean tooLong = false;
        boolean any = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buffer, 0, buffer.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!any) return null;
                    return finish(length, tooLong);
                }
            }
            any = true;
            int start = pos;
            int nl = -1;
            for (int i = pos; i < limit; i++) {
                if (buffer[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int end = nl < 0 ? limit : nl;
            int chunk = end - start;
            if (!tooLong) {
                if (length + chunk > maxLineBytes) {
                    tooLong = true;
                } else {
                    if (length + chunk > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, length + chunk));
                    System.arraycopy(buffer, start, line, length, chunk);
                    length += chunk;
                }
            }
            offset += chunk;
            pos = end;
            if (nl >= 0) {
                pos++;
                offset++;
                return finish(length, tooLong);
            }
        }
    }

    private Line finish(int length, boolean tooLong) {
        if (!tooLong && length > 0 && line[length - 1] == '\r') length--;
        return new Line(line, tooLong ? 0 : length, offset, tooLong);
    }
}
