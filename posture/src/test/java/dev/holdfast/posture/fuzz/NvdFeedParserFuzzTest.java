package dev.holdfast.posture.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.posture.MalformedDocumentException;
import dev.holdfast.posture.advisory.Advisory;
import dev.holdfast.posture.advisory.NvdFeedParser;

import java.io.ByteArrayInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** An NVD CVE 2.0 feed: whole-feed refusal with {@link MalformedDocumentException} or per-CVE results; nothing else escapes. */
class NvdFeedParserFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void parse_deliversCvesOrRefusals(byte[] input) {
        try {
            NvdFeedParser.parse(new ByteArrayInputStream(input), new NvdFeedParser.Sink() {
                public void accept(Advisory a, String document) {
                    assertThat(a.id()).startsWith("CVE-");
                    assertThat(document).startsWith("{");
                }

                public void refused(String where, MalformedDocumentException e) {
                    assertThat(e.getMessage()).isNotBlank();
                }
            });
        } catch (MalformedDocumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
