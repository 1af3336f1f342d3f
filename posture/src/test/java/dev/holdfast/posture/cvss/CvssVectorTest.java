package dev.holdfast.posture.cvss;

import dev.holdfast.posture.MalformedDocumentException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CvssVectorTest {

    /** Scores from the CVSS v3.1 Examples document (FIRST) and NVD's published base scores. */
    @ParameterizedTest
    @CsvSource({
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H, 10.0",   // CVE-2021-44228 (NVD)
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N, 7.5",    // CVE-2014-0160 Heartbleed (v3.1 examples)
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N, 6.1",    // CVE-2013-1937 phpMyAdmin XSS (v3.1 examples)
            "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H, 7.8",    // CVE-2016-5195 Dirty COW (NVD)
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H, 9.8",
            "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H, 6.8",    // physical access, e.g. debug port
            "CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N, 3.1",
            "CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:C/C:L/I:L/A:N, 4.8",   // stored XSS by an administrator (NVD)
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N, 0.0",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/E:P/RL:O/CR:H, 7.5", // temporal/environmental metrics do not change the base
    })
    void baseScore_followsV31Equations(String vector, double expected) throws Exception {
        assertThat(CvssVector.parse(vector).baseScore()).contains(expected);
    }

    @Test
    void roundup_avoidsFloatingPointArtefacts() {
        // Appendix A: 4.000001 is a floating-point artefact of 4.0 and must not round up to 4.1.
        assertThat(CvssVector.roundup(4.000001)).isEqualTo(4.0);
        assertThat(CvssVector.roundup(4.0)).isEqualTo(4.0);
        assertThat(CvssVector.roundup(4.02)).isEqualTo(4.1);
    }

    @Test
    void v4_parsesAndTakesTheStatedScore() throws Exception {
        CvssVector v = CvssVector.parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A");
        assertThat(v.version()).isEqualTo(CvssVector.Version.V4_0);
        assertThat(v.baseScore()).isEmpty();
        assertThat(v.score(Optional.of(9.3))).contains(9.3);
    }

    @Test
    void parse_refusesWithTheMetricAtFault() {
        assertThatThrownBy(() -> CvssVector.parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"))
                .isInstanceOfSatisfying(MalformedDocumentException.class, e -> assertThat(e.location()).isEqualTo("A"));
        assertThatThrownBy(() -> CvssVector.parse("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"))
                .isInstanceOfSatisfying(MalformedDocumentException.class, e -> assertThat(e.location()).isEqualTo("AV"));
        assertThatThrownBy(() -> CvssVector.parse("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")).hasMessageContaining("twice");
        assertThatThrownBy(() -> CvssVector.parse("CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"))
                .isInstanceOfSatisfying(MalformedDocumentException.class, e -> assertThat(e.location()).isEqualTo("AT"));
        assertThatThrownBy(() -> CvssVector.parse("AV:N/AC:L")).hasMessageContaining("does not start with");
    }
}
