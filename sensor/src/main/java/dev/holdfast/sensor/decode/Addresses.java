package dev.holdfast.sensor.decode;

/** Formatting of the decoder's primitive addresses; for reports, never on the per-packet path. */
public final class Addresses {
    public static final long V4_MAPPED_HI = 0L;
    public static final long V4_MAPPED_LO_PREFIX = 0x0000FFFF00000000L;

    private Addresses() {
    }

    public static boolean isV4(long hi, long lo) {
        return hi == 0 && (lo & 0xFFFFFFFF00000000L) == V4_MAPPED_LO_PREFIX;
    }

    public static String ip(long hi, long lo) {
        if (isV4(hi, lo)) {
            int a = (int) lo;
            return ((a >>> 24) & 0xFF) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            return java.net.InetAddress.getByAddress(b).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String mac(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int v = (int) (mac >>> (8 * i)) & 0xFF;
            sb.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 15, 16));
            if (i > 0) sb.append(':');
        }
        return sb.toString();
    }

    public static long v4(int addr) {
        return V4_MAPPED_LO_PREFIX | (addr & 0xFFFFFFFFL);
    }

    public static boolean isMulticastOrBroadcastMac(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }
}
