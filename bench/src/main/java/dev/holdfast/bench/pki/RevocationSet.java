package dev.holdfast.bench.pki;

import dev.holdfast.pki.internal.crl.RevokedEntries;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The benchmark's revoked certificates: random 128-bit serials, revocation times spread over the
 * year before {@code now}, and random reasons among those both tools express the same way. The same
 * seed gives the same set, so a child JVM can rebuild it without reading a file.
 *
 * <p>An entry without a reason is written to the openssl database without one too: openssl would
 * put {@code unspecified} into the CRL as an explicit reasonCode, which RFC 5280 §5.3.1 advises
 * against and our writer leaves out.
 */
final class RevocationSet {

    /** Reason codes drawn from; NO_REASON twice, so about 2 in 8 entries have none. */
    private static final int[] REASONS = {RevokedEntries.NO_REASON, RevokedEntries.NO_REASON, 1, 2, 3, 4, 5, 6};
    /** openssl's names for reason codes 0-6 in {@code index.txt} ({@code apps/ca.c}, crl_reasons). */
    private static final String[] OPENSSL_REASON_NAMES = {"unspecified", "keyCompromise", "CACompromise",
            "affiliationChanged", "superseded", "cessationOfOperation", "certificateHold"};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
    private static final long YEAR_SECONDS = 365L * 86_400;

    private RevocationSet() {}

    /** Generates {@code count} entries into a new store, and as {@code index.txt} lines when {@code index} is not null. */
    static RevokedEntries generate(int count, long seed, Instant now, Writer index) throws IOException {
        RevokedEntries entries = new RevokedEntries(count);
        SplittableRandom random = new SplittableRandom(seed);
        byte[] serial = new byte[16];
        HexFormat hex = HexFormat.of().withUpperCase();
        String expiry = format(now.getEpochSecond() + YEAR_SECONDS);
        long newest = now.getEpochSecond() - 60;
        for (int i = 0; i < count; i++) {
            random.nextBytes(serial);
            serial[15] |= 1; // never zero
            long revokedAt = newest - random.nextLong(YEAR_SECONDS);
            int reason = REASONS[random.nextInt(REASONS.length)];
            entries.add(serial, 0, serial.length, revokedAt, reason);
            if (index != null) {
                index.write("R\t");
                index.write(expiry);
                index.write('\t');
                index.write(format(revokedAt));
                if (reason != RevokedEntries.NO_REASON) {
                    index.write(',');
                    index.write(OPENSSL_REASON_NAMES[reason]);
                }
                index.write('\t');
                index.write(hex.formatHex(serial));
                index.write("\tunknown\t/CN=device\n");
            }
        }
        return entries;
    }

    /**
     * Reads an openssl {@code index.txt} back into a store: the work openssl does before it can
     * encode, done our way, for a like-for-like figure.
     */
    static RevokedEntries load(Path indexTxt, int expected) throws IOException {
        RevokedEntries entries = new RevokedEntries(expected);
        byte[] serial = new byte[20];
        try (BufferedReader reader = Files.newBufferedReader(indexTxt, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty() || line.charAt(0) != 'R') {
                    continue;
                }
                int revokedStart = line.indexOf('\t', 2) + 1;
                int serialStart = line.indexOf('\t', revokedStart) + 1;
                int serialEnd = line.indexOf('\t', serialStart);
                long revokedAt = parseUtcTime(line, revokedStart);
                int reason = RevokedEntries.NO_REASON;
                if (line.charAt(revokedStart + 13) == ',') {
                    reason = reasonCode(line.substring(revokedStart + 14, serialStart - 1));
                }
                int length = (serialEnd - serialStart + 1) / 2;
                int nibble = (serialEnd - serialStart) % 2; // an odd count of hex digits starts with a half octet
                for (int i = 0, p = serialStart; i < length; i++) {
                    int high = (i == 0 && nibble == 1) ? 0 : Character.digit(line.charAt(p++), 16);
                    int low = Character.digit(line.charAt(p++), 16);
                    serial[i] = (byte) (high << 4 | low);
                }
                entries.add(serial, 0, length, revokedAt, reason);
            }
        }
        return entries;
    }

    private static String format(long epochSecond) {
        return UTC_TIME.format(LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC));
    }

    private static long parseUtcTime(String s, int p) {
        int yy = twoDigits(s, p);
        int year = yy < 50 ? 2000 + yy : 1900 + yy;
        return LocalDateTime.of(year, twoDigits(s, p + 2), twoDigits(s, p + 4), twoDigits(s, p + 6),
                twoDigits(s, p + 8), twoDigits(s, p + 10)).toEpochSecond(ZoneOffset.UTC);
    }

    private static int twoDigits(String s, int p) {
        return (s.charAt(p) - '0') * 10 + (s.charAt(p + 1) - '0');
    }

    private static int reasonCode(String name) {
        for (int i = 0; i < OPENSSL_REASON_NAMES.length; i++) {
            if (OPENSSL_REASON_NAMES[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("index.txt: reason '" + name + "' (expected: one of "
                + String.join(", ", OPENSSL_REASON_NAMES) + ")");
    }

    /** Opens {@code index.txt} for writing with a large buffer. */
    static BufferedWriter openIndex(Path path) throws IOException {
        return new BufferedWriter(Files.newBufferedWriter(path, StandardCharsets.US_ASCII), 1 << 20);
    }
}
