package dev.holdfast.provisioning.tpm;

import java.io.ByteArrayOutputStream;

/** Big-endian TPM marshalling (TPM 2.0 Part 1 §18) for the few structures we produce. */
final class TpmWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    TpmWriter u16(int v) {
        if (v < 0 || v > 0xffff) throw new IllegalArgumentException("u16: " + v + " (expected: 0..65535)");
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    TpmWriter u32(long v) {
        out.write((int) (v >>> 24));
        out.write((int) (v >>> 16));
        out.write((int) (v >>> 8));
        out.write((int) v);
        return this;
    }

    TpmWriter bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    /** A TPM2B: 16-bit size, then the bytes. */
    TpmWriter tpm2b(byte[] b) {
        return u16(b.length).bytes(b);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
