package dev.holdfast.posture.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.posture.MalformedDocumentException;
import dev.holdfast.posture.sbom.Sbom;
import dev.holdfast.posture.sbom.SbomParser;

import static org.assertj.core.api.Assertions.assertThat;

/** SBOM bytes from an upload: a parsed SBOM or {@link MalformedDocumentException}, nothing else. */
class SbomParserFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse_returnsAnSbomOrThrowsMalformedDocument(byte[] input) {
        try {
            Sbom s = SbomParser.parse(input);
            assertThat(s.components()).allSatisfy(c -> assertThat(c.name()).isNotNull());
        } catch (MalformedDocumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
