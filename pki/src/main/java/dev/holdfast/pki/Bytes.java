package dev.holdfast.pki;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/** Immutable bytes (DER encodings, fingerprints), so records never expose a mutable array. */
public final class Bytes {
    private final byte[] value;

    private Bytes(byte[] value) {
        this.value = value;
    }

    public static Bytes copyOf(byte[] b) {
        return new Bytes(b.clone());
    }

    /** Wraps without copying: only for arrays nobody else holds. */
    public static Bytes wrapOwned(byte[] b) {
        return new Bytes(b);
    }

    public byte[] toArray() {
        return value.clone();
    }

    public int length() {
        return value.length;
    }

    public String hex() {
        return HexFormat.of().formatHex(value);
    }

    public String base64() {
        return Base64.getEncoder().encodeToString(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(value, b.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Bytes[" + value.length + "]";
    }
}
