package dev.holdfast.pki.internal.crl;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The revoked certificates of one CRL, stored column by column: the serial numbers back to back in
 * one byte arena, the revocation times in a {@code long[]}, the reason codes in a {@code byte[]}.
 * There is no object per entry, so a million entries with 128-bit serials take about 30 MB
 * (17 + 4 + 8 + 1 bytes each) and the garbage collector sees four arrays.
 *
 * <p>Each entry is what RFC 5280 §5.1.2.6 puts in {@code revokedCertificates}: the certificate's
 * serial number, its revocation date, and optionally a CRL reason code (§5.3.1). Values are checked
 * when they are added, so {@link StreamingCrlWriter} never meets an entry it cannot encode halfway
 * through a CRL:
 * <ul>
 *   <li>serial: a positive integer whose DER encoding is at most {@value #MAX_SERIAL_OCTETS}
 *       octets (§4.1.2.2), that is at most 159 bits;
 *   <li>revocation time: whole seconds from 1950-01-01T00:00:00Z to 9999-12-31T23:59:59Z, the span
 *       that UTCTime and GeneralizedTime cover under §4.1.2.5;
 *   <li>reason: {@link #NO_REASON} or a {@code CRLReason} value of §5.3.1 (the constants of
 *       BouncyCastle's {@code org.bouncycastle.asn1.x509.CRLReason} fit), except the unassigned 7
 *       and {@code removeFromCRL} (8), which only a delta CRL may carry.
 * </ul>
 *
 * <p>The store does not look for duplicate serials; the CA's revocation table keys on the serial
 * and is where uniqueness belongs. Entries are kept in the order they were added, which is the order
 * in which they appear in the CRL (RFC 5280 asks for no particular order).
 *
 * <p>Not thread-safe. Build it on one thread, then hand it to the writer; adding entries while a
 * CRL is being written from it is not supported.
 */
public final class RevokedEntries {

    /** The reason code of an entry without a reason: the CRL entry carries no reasonCode extension. */
    public static final int NO_REASON = -1;

    /** RFC 5280 §4.1.2.2: conforming CAs do not use serial numbers longer than 20 octets. */
    public static final int MAX_SERIAL_OCTETS = 20;

    /** 1950-01-01T00:00:00Z, the earliest instant UTCTime can express. */
    static final long MIN_EPOCH_SECOND = -631_152_000L;

    /** 9999-12-31T23:59:59Z, the latest instant a four-digit GeneralizedTime year can express. */
    static final long MAX_EPOCH_SECOND = 253_402_300_799L;

    private static final int DEFAULT_EXPECTED_ENTRIES = 256;
    /** A random 128-bit serial is 16 octets, plus one for the leading zero when its top bit is set. */
    private static final int TYPICAL_SERIAL_OCTETS = 17;
    /** The JDK's practical ceiling for array lengths. */
    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
    /** Bit i is set when reason code i is acceptable; 7 is unassigned, 8 is delta-CRL only. */
    private static final int VALID_REASONS = 0b110_0111_1111;

    /** DER content octets of every serial (two's complement, minimal), back to back. */
    private byte[] serials;
    /** serialEnds[i] is the arena offset just past entry i's serial; entry i starts at serialEnds[i - 1]. */
    private int[] serialEnds;
    private long[] revokedAt;
    private byte[] reasons;
    private int size;
    private int serialBytes;

    /** An empty store sized for a few hundred entries; it grows by half as needed. */
    public RevokedEntries() {
        this(DEFAULT_EXPECTED_ENTRIES);
    }

    /**
     * An empty store with room for {@code expectedEntries} entries of up to 128-bit serials, so that
     * a store filled from a known count never copies its columns while growing.
     */
    public RevokedEntries(int expectedEntries) {
        if (expectedEntries < 0) {
            throw new IllegalArgumentException("expectedEntries: " + expectedEntries + " (expected: >= 0)");
        }
        int entries = Math.max(expectedEntries, 1);
        serials = new byte[(int) Math.min(MAX_ARRAY_LENGTH, (long) entries * TYPICAL_SERIAL_OCTETS)];
        serialEnds = new int[entries];
        revokedAt = new long[entries];
        reasons = new byte[entries];
    }

    /**
     * Adds a revoked certificate.
     *
     * @param serial the certificate serial number, positive, at most 159 bits
     * @param revokedAtEpochSecond the revocation time in seconds since 1970-01-01T00:00:00Z
     * @param reasonCode a RFC 5280 §5.3.1 reason code, or {@link #NO_REASON}
     * @throws IllegalArgumentException if a value is outside the ranges listed on the class
     */
    public void add(BigInteger serial, long revokedAtEpochSecond, int reasonCode) {
        Objects.requireNonNull(serial, "serial");
        if (serial.signum() <= 0) {
            throw new IllegalArgumentException(
                    "serial: " + serial + " (expected: a positive integer, RFC 5280 §4.1.2.2)");
        }
        if (serial.bitLength() > 8 * MAX_SERIAL_OCTETS - 1) {
            throw tooLong(serial.toString(16), serial.bitLength() / 8 + 1);
        }
        byte[] content = serial.toByteArray();
        add(content, 0, content.length, revokedAtEpochSecond, reasonCode);
    }

    /**
     * Adds a revoked certificate whose serial number is given as big-endian unsigned bytes, as a
     * CA generating random serials holds them. Leading zero bytes are ignored, so the output of
     * {@link BigInteger#toByteArray()} for a positive number is accepted too. The bytes are copied.
     *
     * @param serial array holding the serial number, big-endian, unsigned
     * @param offset where the serial number starts in {@code serial}
     * @param length how many bytes it has
     * @param revokedAtEpochSecond the revocation time in seconds since 1970-01-01T00:00:00Z
     * @param reasonCode a RFC 5280 §5.3.1 reason code, or {@link #NO_REASON}
     * @throws IllegalArgumentException if a value is outside the ranges listed on the class
     */
    public void add(byte[] serial, int offset, int length, long revokedAtEpochSecond, int reasonCode) {
        Objects.checkFromIndexSize(offset, length, serial.length);
        int start = offset;
        int end = offset + length;
        while (start < end && serial[start] == 0) {
            start++;
        }
        int magnitude = end - start;
        if (magnitude == 0) {
            throw new IllegalArgumentException("serial: 0 (expected: a positive integer, RFC 5280 §4.1.2.2)");
        }
        // A set top bit would read as negative in two's complement: DER then needs a leading 0x00.
        boolean pad = serial[start] < 0;
        int octets = magnitude + (pad ? 1 : 0);
        if (octets > MAX_SERIAL_OCTETS) {
            throw tooLong(HexFormat.of().formatHex(serial, start, end), octets);
        }
        checkRevokedAt(revokedAtEpochSecond);
        checkReason(reasonCode);

        ensureCapacity(octets);
        int p = serialBytes;
        if (pad) {
            serials[p++] = 0;
        }
        System.arraycopy(serial, start, serials, p, magnitude);
        serialBytes = p + magnitude;
        serialEnds[size] = serialBytes;
        revokedAt[size] = revokedAtEpochSecond;
        reasons[size] = (byte) reasonCode;
        size++;
    }

    /** The number of entries. */
    public int size() {
        return size;
    }

    /** The serial number of entry {@code index}. Allocates; for hot paths use {@link #copySerial}. */
    public BigInteger serial(int index) {
        Objects.checkIndex(index, size);
        int start = serialStart(index);
        return new BigInteger(serials, start, serialEnds[index] - start);
    }

    /**
     * The length of entry {@code index}'s serial number as DER INTEGER content octets: its
     * magnitude plus one when the top bit of the magnitude is set.
     */
    public int serialLength(int index) {
        Objects.checkIndex(index, size);
        return serialEnds[index] - serialStart(index);
    }

    /**
     * Copies entry {@code index}'s serial number into {@code dst} as DER INTEGER content octets
     * (big-endian two's complement, minimal: the same bytes as {@link BigInteger#toByteArray()}).
     *
     * @return the number of bytes copied, {@link #serialLength(int)}
     */
    public int copySerial(int index, byte[] dst, int dstOffset) {
        Objects.checkIndex(index, size);
        int start = serialStart(index);
        int length = serialEnds[index] - start;
        System.arraycopy(serials, start, dst, dstOffset, length);
        return length;
    }

    /** The revocation time of entry {@code index}, in seconds since 1970-01-01T00:00:00Z. */
    public long revokedAtEpochSecond(int index) {
        Objects.checkIndex(index, size);
        return revokedAt[index];
    }

    /** The reason code of entry {@code index}, or {@link #NO_REASON}. */
    public int reasonCode(int index) {
        Objects.checkIndex(index, size);
        return reasons[index];
    }

    /**
     * About how many bytes of heap the columns take, counting their capacity rather than their
     * size: the figure to set against the size of the CRL written from them.
     */
    public long heapBytes() {
        long arrayHeaders = 4 * 16L;
        return arrayHeaders + serials.length + 4L * serialEnds.length + 8L * revokedAt.length + reasons.length;
    }

    // The writer reads the columns directly; each accessor returns the live array, valid for the
    // first size() entries until the next add().

    byte[] serialArena() {
        return serials;
    }

    int[] serialEnds() {
        return serialEnds;
    }

    long[] revokedAtColumn() {
        return revokedAt;
    }

    byte[] reasonColumn() {
        return reasons;
    }

    private int serialStart(int index) {
        return index == 0 ? 0 : serialEnds[index - 1];
    }

    private void ensureCapacity(int serialOctets) {
        if (size == serialEnds.length) {
            if (size == MAX_ARRAY_LENGTH) {
                throw new IllegalStateException("RevokedEntries: full at " + size + " entries");
            }
            int capacity = (int) Math.min(MAX_ARRAY_LENGTH, size + (size >> 1) + 1L);
            serialEnds = Arrays.copyOf(serialEnds, capacity);
            revokedAt = Arrays.copyOf(revokedAt, capacity);
            reasons = Arrays.copyOf(reasons, capacity);
        }
        long needed = (long) serialBytes + serialOctets;
        if (needed > serials.length) {
            if (needed > MAX_ARRAY_LENGTH) {
                throw new IllegalStateException(
                        "RevokedEntries: serial arena full at " + size + " entries, " + serialBytes + " bytes");
            }
            int capacity = (int) Math.min(MAX_ARRAY_LENGTH, Math.max(needed, serials.length + (serials.length >> 1)));
            serials = Arrays.copyOf(serials, capacity);
        }
    }

    private static IllegalArgumentException tooLong(String hex, int octets) {
        return new IllegalArgumentException("serial: 0x" + hex + " needs " + octets
                + " octets as a DER INTEGER (expected: at most " + MAX_SERIAL_OCTETS + ", RFC 5280 §4.1.2.2)");
    }

    static void checkRevokedAt(long epochSecond) {
        if (epochSecond < MIN_EPOCH_SECOND || epochSecond > MAX_EPOCH_SECOND) {
            throw new IllegalArgumentException("revokedAtEpochSecond: " + epochSecond
                    + " (expected: " + MIN_EPOCH_SECOND + " to " + MAX_EPOCH_SECOND + ", that is "
                    + Instant.ofEpochSecond(MIN_EPOCH_SECOND) + " to " + Instant.ofEpochSecond(MAX_EPOCH_SECOND)
                    + ", RFC 5280 §4.1.2.5)");
        }
    }

    private static void checkReason(int reasonCode) {
        if (reasonCode == NO_REASON) {
            return;
        }
        if (reasonCode == 8) {
            throw new IllegalArgumentException("reasonCode: 8 removeFromCRL (expected: a reason a full CRL may carry;"
                    + " removeFromCRL only appears in delta CRLs, RFC 5280 §5.3.1)");
        }
        if (reasonCode < 0 || reasonCode > 10 || (VALID_REASONS & (1 << reasonCode)) == 0) {
            throw new IllegalArgumentException("reasonCode: " + reasonCode
                    + " (expected: -1 for none, or a CRLReason of RFC 5280 §5.3.1: 0-6, 9, 10)");
        }
    }
}
