package dev.holdfast.provisioning.tpm;

import dev.holdfast.pki.MalformedInputException;

import java.util.Arrays;

/**
 * A bounds-checked big-endian reader over untrusted TPM marshalled bytes (TPM 2.0 Part 1 §18,
 * Part 2 §5). Every read checks the remaining length first, so a malformed structure ends as a
 * {@link MalformedInputException} that says where and what was expected, never as an index error.
 */
final class TpmReader {
    private final byte[] buf;
    private final int base;
    private int pos;
    private final int end;

    TpmReader(byte[] buf) {
        this(buf, 0, buf.length, 0);
    }

    private TpmReader(byte[] buf, int from, int to, int base) {
        this.buf = buf;
        this.pos = from;
        this.end = to;
        this.base = base;
    }

    /** The absolute offset of the next byte in the outermost input. */
    int offset() {
        return base + pos;
    }

    int remaining() {
        return end - pos;
    }

    private void need(int n, String what) throws MalformedInputException {
        if (n > end - pos) {
            throw new MalformedInputException(offset(), what + ": needs " + n + " bytes, " + (end - pos) + " left");
        }
    }

    int u8(String what) throws MalformedInputException {
        need(1, what);
        return buf[pos++] & 0xff;
    }

    int u16(String what) throws MalformedInputException {
        need(2, what);
        int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    long u32(String what) throws MalformedInputException {
        need(4, what);
        long v = ((long) (buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    long u64(String what) throws MalformedInputException {
        need(8, what);
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (buf[pos + i] & 0xff);
        pos += 8;
        return v;
    }

    byte[] bytes(int n, String what) throws MalformedInputException {
        need(n, what);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /** A TPM2B: a 16-bit size then that many bytes, at most {@code max} (the structure's buffer size). */
    byte[] tpm2b(String what, int max) throws MalformedInputException {
        int at = offset();
        int size = u16(what + " size");
        if (size > max) {
            throw new MalformedInputException(at, what + " size " + size + " exceeds its maximum of " + max + " bytes");
        }
        return bytes(size, what);
    }

    /** A reader over the next {@code n} bytes, which this reader skips; offsets stay absolute. */
    TpmReader sub(int n, String what) throws MalformedInputException {
        need(n, what);
        TpmReader r = new TpmReader(buf, pos, pos + n, base);
        pos += n;
        return r;
    }

    /** The bytes from {@code from} (an absolute offset this reader passed) to the current position. */
    byte[] since(int from) {
        return Arrays.copyOfRange(buf, from - base, pos);
    }

    void expectEnd(String what) throws MalformedInputException {
        if (pos != end) {
            throw new MalformedInputException(offset(), (end - pos) + " unexpected bytes after " + what);
        }
    }
}
