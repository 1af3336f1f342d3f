package dev.holdfast.pki.internal.crl;

import java.util.Arrays;

/**
 * DER encoder for the RFC 5280 {@code Time} CHOICE (§4.1.2.5), written for a loop over a million
 * CRL entries: no allocation, no {@code java.time} objects, no string formatting.
 *
 * <p>The profile: instants through 2049 are a UTCTime {@code YYMMDDHHMMSSZ} (13 characters), from
 * 2050-01-01T00:00:00Z on a GeneralizedTime {@code YYYYMMDDHHMMSSZ} (15 characters); both in UTC
 * with seconds and without fractions (§4.1.2.5.1, §4.1.2.5.2, §5.1.2.4). Callers keep instants in
 * {@link RevokedEntries#MIN_EPOCH_SECOND}..{@link RevokedEntries#MAX_EPOCH_SECOND}.
 *
 * <p>Turning a day number into a calendar date is the only costly step, so the digits of recent
 * days are kept in a small direct-mapped table: revocation times of one CRL usually span a few
 * hundred days, which then all hit. Not thread-safe; one instance per CRL being written.
 */
final class X509Time {

    /** 2050-01-01T00:00:00Z: from here on, GeneralizedTime. */
    static final long GENERALIZED_FROM = 2_524_608_000L;

    static final byte UTC_TIME = 0x17;
    static final byte GENERALIZED_TIME = 0x18;

    private static final int SECONDS_PER_DAY = 86_400;
    /** 1024 days: a CRL whose revocations span under 2.8 years never recomputes a date. */
    private static final int SLOTS = 1024;
    private static final byte[] TWO_DIGITS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            TWO_DIGITS[2 * i] = (byte) ('0' + i / 10);
            TWO_DIGITS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private final long[] cachedDay = new long[SLOTS];
    /** Eight ASCII digits YYYYMMDD per slot. */
    private final byte[] cachedDate = new byte[SLOTS * 8];

    X509Time() {
        Arrays.fill(cachedDay, Long.MIN_VALUE);
    }

    /** The number of bytes {@link #encode} writes for this instant: tag, length and characters. */
    static int encodedLength(long epochSecond) {
        return epochSecond >= GENERALIZED_FROM ? 17 : 15;
    }

    /** The instant as a standalone DER value, for the few times outside the entry loop. */
    byte[] encode(long epochSecond) {
        byte[] der = new byte[encodedLength(epochSecond)];
        encode(epochSecond, der, 0);
        return der;
    }

    /**
     * Writes the DER Time of {@code epochSecond} at {@code dst[p]}.
     *
     * @return the index just past what was written
     */
    int encode(long epochSecond, byte[] dst, int p) {
        long day = Math.floorDiv(epochSecond, SECONDS_PER_DAY);
        int secondOfDay = (int) (epochSecond - day * SECONDS_PER_DAY);
        int slot = (int) day & (SLOTS - 1);
        if (cachedDay[slot] != day) {
            fill(slot, day);
        }
        int date = slot * 8;
        if (epochSecond >= GENERALIZED_FROM) {
            dst[p] = GENERALIZED_TIME;
            dst[p + 1] = 15;
            System.arraycopy(cachedDate, date, dst, p + 2, 8);
            p += 10;
        } else {
            // UTCTime's two-digit year: the profile maps 50..99 to 19YY and 00..49 to 20YY.
            dst[p] = UTC_TIME;
            dst[p + 1] = 13;
            System.arraycopy(cachedDate, date + 2, dst, p + 2, 6);
            p += 8;
        }
        p = twoDigits(secondOfDay / 3600, dst, p);
        p = twoDigits(secondOfDay / 60 % 60, dst, p);
        p = twoDigits(secondOfDay % 60, dst, p);
        dst[p] = 'Z';
        return p + 1;
    }

    private static int twoDigits(int value, byte[] dst, int p) {
        dst[p] = TWO_DIGITS[2 * value];
        dst[p + 1] = TWO_DIGITS[2 * value + 1];
        return p + 2;
    }

    /** Civil date from a day count (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"). */
    private void fill(int slot, long epochDay) {
        long z = epochDay + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long shiftedMonth = (5 * dayOfYear + 2) / 153;
        int dayOfMonth = (int) (dayOfYear - (153 * shiftedMonth + 2) / 5 + 1);
        int month = (int) (shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9);
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));

        int p = slot * 8;
        p = twoDigits(year / 100, cachedDate, p);
        p = twoDigits(year % 100, cachedDate, p);
        p = twoDigits(month, cachedDate, p);
        twoDigits(dayOfMonth, cachedDate, p);
        cachedDay[slot] = epochDay;
    }
}
