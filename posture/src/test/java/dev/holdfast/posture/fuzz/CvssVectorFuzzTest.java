package dev.holdfast.posture.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.posture.MalformedDocumentException;
import dev.holdfast.posture.cvss.CvssVector;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** CVSS vectors from advisories: a vector whose v3 base score is in 0.0..10.0 with one decimal, or {@link MalformedDocumentException}. */
class CvssVectorFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse_scoresWithinRangeOrThrowsMalformedDocument(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        try {
            CvssVector v = CvssVector.parse(text);
            v.baseScore().ifPresent(s -> {
                assertThat(s).isBetween(0.0, 10.0);
                assertThat(Math.round(s * 10) / 10.0).isEqualTo(s);
            });
        } catch (MalformedDocumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
