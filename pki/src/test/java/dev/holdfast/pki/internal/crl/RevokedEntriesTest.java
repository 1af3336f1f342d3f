package dev.holdfast.pki.internal.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RevokedEntriesTest {

    private static final long REVOKED_AT = Instant.parse("2026-11-29T12:00:00Z").getEpochSecond();

    @Test
    void add_keepsEveryColumnInOrderWhileGrowing() {
        RevokedEntries entries = new RevokedEntries(1);
        for (int i = 0; i < 1000; i++) {
            entries.add(BigInteger.valueOf(1_000_000L + i * 977L), REVOKED_AT + i, i % 7 - 1);
        }

        assertThat(entries.size()).isEqualTo(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(entries.serial(i)).isEqualTo(BigInteger.valueOf(1_000_000L + i * 977L));
            assertThat(entries.revokedAtEpochSecond(i)).isEqualTo(REVOKED_AT + i);
            assertThat(entries.reasonCode(i)).isEqualTo(i % 7 - 1);
        }
    }

    @Test
    void add_storesSerialAsDerIntegerContent_strippingLeadingZerosAndPaddingTheHighBit() {
        RevokedEntries entries = new RevokedEntries();
        entries.add(new byte[] {0, 0, (byte) 0x80}, 0, 3, REVOKED_AT, RevokedEntries.NO_REASON);
        entries.add(new byte[] {9, 0x7F, 9}, 1, 1, REVOKED_AT, RevokedEntries.NO_REASON);

        byte[] copy = new byte[4];
        assertThat(entries.copySerial(0, copy, 1)).isEqualTo(2);
        assertThat(copy).containsExactly(0, 0, 0x80, 0);
        assertThat(entries.serial(0)).isEqualTo(BigInteger.valueOf(0x80));
        assertThat(entries.serialLength(1)).isEqualTo(1);
        assertThat(entries.serial(1)).isEqualTo(BigInteger.valueOf(0x7F));
    }

    @Test
    void add_takesBigIntegerAndUnsignedBytesAlike() {
        BigInteger serial = new BigInteger("f3a1c2d4e5f60718293a4b5c6d7e8f90", 16);
        RevokedEntries entries = new RevokedEntries();
        entries.add(serial, REVOKED_AT, 1);
        byte[] unsigned = serial.toByteArray();
        entries.add(unsigned, 0, unsigned.length, REVOKED_AT, 1);

        assertThat(entries.serial(0)).isEqualTo(serial).isEqualTo(entries.serial(1));
        assertThat(entries.serialLength(0)).isEqualTo(17).isEqualTo(entries.serialLength(1));
    }

    @Test
    void add_acceptsSerialsOfTwentyOctets() {
        BigInteger largest = BigInteger.TWO.pow(159).subtract(BigInteger.ONE);
        byte[] nineteenHighBytes = new byte[19];
        Arrays.fill(nineteenHighBytes, (byte) 0xFF);
        RevokedEntries entries = new RevokedEntries();

        entries.add(largest, REVOKED_AT, RevokedEntries.NO_REASON);
        entries.add(nineteenHighBytes, 0, 19, REVOKED_AT, RevokedEntries.NO_REASON);

        assertThat(entries.serialLength(0)).isEqualTo(20);
        assertThat(entries.serial(0)).isEqualTo(largest);
        assertThat(entries.serialLength(1)).isEqualTo(20);
        assertThat(entries.serial(1)).isEqualTo(new BigInteger(1, nineteenHighBytes));
    }

    @Test
    void add_rejectsSerialsNeedingMoreThanTwentyOctets() {
        byte[] twentyHighBytes = new byte[20];
        Arrays.fill(twentyHighBytes, (byte) 0x80);
        RevokedEntries entries = new RevokedEntries();

        assertThatThrownBy(() -> entries.add(twentyHighBytes, 0, 20, REVOKED_AT, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("serial: 0x8080808080808080808080808080808080808080 needs 21 octets as a DER INTEGER"
                        + " (expected: at most 20, RFC 5280 §4.1.2.2)");
        assertThatThrownBy(() -> entries.add(BigInteger.TWO.pow(159), REVOKED_AT, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 21 octets");
        assertThat(entries.size()).isZero();
    }

    @Test
    void add_rejectsSerialsThatAreNotPositive() {
        RevokedEntries entries = new RevokedEntries();

        assertThatThrownBy(() -> entries.add(new byte[] {0, 0}, 0, 2, REVOKED_AT, 1))
                .hasMessage("serial: 0 (expected: a positive integer, RFC 5280 §4.1.2.2)");
        assertThatThrownBy(() -> entries.add(BigInteger.valueOf(-5), REVOKED_AT, 1))
                .hasMessage("serial: -5 (expected: a positive integer, RFC 5280 §4.1.2.2)");
        assertThatThrownBy(() -> entries.add(new byte[0], 0, 0, REVOKED_AT, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(entries.size()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1, 2, 3, 4, 5, 6, 9, 10})
    void add_acceptsNoReasonAndTheReasonCodesOfAFullCrl(int reasonCode) {
        RevokedEntries entries = new RevokedEntries();
        entries.add(BigInteger.TEN, REVOKED_AT, reasonCode);

        assertThat(entries.reasonCode(0)).isEqualTo(reasonCode);
    }

    @ParameterizedTest
    @ValueSource(ints = {-2, 7, 8, 11, 255})
    void add_rejectsReasonCodesAFullCrlCannotCarry(int reasonCode) {
        RevokedEntries entries = new RevokedEntries();

        assertThatThrownBy(() -> entries.add(BigInteger.TEN, REVOKED_AT, reasonCode))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("reasonCode: " + reasonCode);
        assertThat(entries.size()).isZero();
    }

    @Test
    void add_acceptsTimesFrom1950To9999() {
        RevokedEntries entries = new RevokedEntries();
        entries.add(BigInteger.ONE, Instant.parse("1950-01-01T00:00:00Z").getEpochSecond(), 1);
        entries.add(BigInteger.TWO, Instant.parse("9999-12-31T23:59:59Z").getEpochSecond(), 1);

        assertThat(entries.size()).isEqualTo(2);
    }

    @Test
    void add_rejectsTimesOutsideWhatUtcTimeAndGeneralizedTimeExpress() {
        RevokedEntries entries = new RevokedEntries();
        long before1950 = Instant.parse("1949-12-31T23:59:59Z").getEpochSecond();
        long after9999 = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond() + 1;

        assertThatThrownBy(() -> entries.add(BigInteger.ONE, before1950, 1))
                .hasMessage("revokedAtEpochSecond: -631152001 (expected: -631152000 to 253402300799,"
                        + " that is 1950-01-01T00:00:00Z to 9999-12-31T23:59:59Z, RFC 5280 §4.1.2.5)");
        assertThatThrownBy(() -> entries.add(BigInteger.ONE, after9999, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(entries.size()).isZero();
    }

    @Test
    void accessors_rejectIndexesOutsideTheEntries() {
        RevokedEntries entries = new RevokedEntries(10);
        entries.add(BigInteger.ONE, REVOKED_AT, 1);

        assertThatThrownBy(() -> entries.serial(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> entries.revokedAtEpochSecond(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> entries.reasonCode(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void heapBytes_isAboutThirtyBytesPerEntryForRandom128BitSerials() {
        int count = 100_000;
        RevokedEntries entries = new RevokedEntries(count);
        SplittableRandom random = new SplittableRandom(1);
        byte[] serial = new byte[16];
        for (int i = 0; i < count; i++) {
            random.nextBytes(serial);
            serial[0] |= 1; // never all zero
            entries.add(serial, 0, serial.length, REVOKED_AT, 1);
        }

        assertThat(entries.heapBytes() / (double) count).isBetween(29.0, 31.0);
    }
}
