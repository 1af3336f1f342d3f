package dev.holdfast.sensor.pcap;

/** Big- and little-endian reads from a byte array; callers check bounds. */
public final class Bytes {
    private Bytes() {
    }

    public static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    public static int u16be(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    public static int u16le(byte[] b, int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8);
    }

    public static int u24be(byte[] b, int i) {
        return ((b[i] & 0xFF) << 16) | ((b[i + 1] & 0xFF) << 8) | (b[i + 2] & 0xFF);
    }

    public static int i32be(byte[] b, int i) {
        return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }

    public static int i32le(byte[] b, int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8) | ((b[i + 2] & 0xFF) << 16) | ((b[i + 3] & 0xFF) << 24);
    }

    public static long u48be(byte[] b, int i) {
        return ((long) u16be(b, i) << 32) | (i32be(b, i + 2) & 0xFFFFFFFFL);
    }

    public static long i64be(byte[] b, int i) {
        return ((long) i32be(b, i) << 32) | (i32be(b, i + 4) & 0xFFFFFFFFL);
    }
}
