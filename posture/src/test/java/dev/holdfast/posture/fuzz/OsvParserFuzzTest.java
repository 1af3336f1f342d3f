package dev.holdfast.posture.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.posture.MalformedDocumentException;
import dev.holdfast.posture.advisory.Advisory;
import dev.holdfast.posture.advisory.AffectedPackage;
import dev.holdfast.posture.advisory.OsvParser;
import dev.holdfast.posture.version.VersionScheme;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One OSV record (JSON or YAML): an advisory or {@link MalformedDocumentException}; and every range of
 * a parsed advisory can be evaluated against any version without throwing.
 */
class OsvParserFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse_returnsAnAdvisoryOrThrowsMalformedDocument(byte[] input) {
        Advisory a;
        try {
            a = OsvParser.parse(input);
        } catch (MalformedDocumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(a.id()).isNotEmpty();
        for (AffectedPackage p : a.affected()) {
            for (var r : p.ranges()) {
                for (String v : new String[]{"0", "1.0.0", "2:1.0-1~rc1", "1.0a^git1", ""}) {
                    r.contains(v, p.scheme());
                    r.contains(v, VersionScheme.GENERIC);
                }
            }
        }
    }
}
