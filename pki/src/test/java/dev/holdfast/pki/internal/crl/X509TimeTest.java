package dev.holdfast.pki.internal.crl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.SplittableRandom;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class X509TimeTest {

    @ParameterizedTest
    @CsvSource({
        "1950-01-01T00:00:00Z, 170d3530303130313030303030305a",
        "1999-12-31T23:59:59Z, 170d3939313233313233353935395a",
        "2000-02-29T12:34:56Z, 170d3030303232393132333435365a",
        "2049-12-31T23:59:59Z, 170d3439313233313233353935395a",
        "2050-01-01T00:00:00Z, 180f32303530303130313030303030305a",
        "2100-03-01T00:00:01Z, 180f32313030303330313030303030315a",
        "9999-12-31T23:59:59Z, 180f39393939313233313233353935395a",
    })
    void encode_usesUtcTimeThrough2049AndGeneralizedTimeFrom2050(String instant, String der) {
        long second = Instant.parse(instant).getEpochSecond();

        assertThat(new X509Time().encode(second)).asHexString().isEqualToIgnoringCase(der);
        assertThat(X509Time.encodedLength(second)).isEqualTo(der.length() / 2);
    }

    @Test
    void encode_matchesBouncyCastleTimeOverTheWholeRange() throws IOException {
        X509Time time = new X509Time();
        SplittableRandom random = new SplittableRandom(7);
        byte[] buffer = new byte[20];
        for (int i = 0; i < 20_000; i++) {
            long second = random.nextLong(RevokedEntries.MIN_EPOCH_SECOND, RevokedEntries.MAX_EPOCH_SECOND + 1);
            byte[] expected = new Time(Date.from(Instant.ofEpochSecond(second))).getEncoded(ASN1Encoding.DER);

            int end = time.encode(second, buffer, 3);

            assertThat(end - 3).as("length at %s", Instant.ofEpochSecond(second)).isEqualTo(expected.length);
            assertThat(Arrays.copyOfRange(buffer, 3, end)).as("at %s", Instant.ofEpochSecond(second))
                    .isEqualTo(expected);
        }
    }
}
