package dev.holdfast.posture.sbom;

import dev.holdfast.posture.MalformedDocumentException;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import dev.holdfast.testing.SharedTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every SBOM in the shared test data (CycloneDX/bom-examples) parses, and the number of components,
 * nested ones included, equals what {@code jq} (JSON) or {@code xmllint} (XML) counts in the same file.
 */
class SbomTestDataTest {

    static Stream<Path> sboms() throws IOException {
        try (Stream<Path> s = Files.walk(SharedTestData.dir("sbom"))) {
            return s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".xml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("sboms")
    void parse_componentCountAgreesWithExternalCount(Path file) throws Exception {
        Sbom sbom = SbomParser.parse(Files.readAllBytes(file));
        long expected;
        if (file.toString().endsWith(".json")) {
            Path jq = ExternalTool.require("jq");
            // Every component reachable through .components, recursively; metadata.component is the image itself.
            ProcessRun r = ProcessRun.run(null, List.of(jq.toString(), "[def c: .components[]? | (., c); c] | length", file.toString()));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            expected = Long.parseLong(r.stdout().trim());
            assertThat(sbom.format()).isEqualTo(Sbom.Format.CYCLONEDX_JSON);
        } else {
            Path xmllint = ExternalTool.require("xmllint");
            ProcessRun r = ProcessRun.run(null, List.of(xmllint.toString(), "--xpath",
                    "count(/*[local-name()='bom']/*[local-name()='components']//*[local-name()='component'])", file.toString()));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            expected = Long.parseLong(r.stdout().trim());
            assertThat(sbom.format()).isEqualTo(Sbom.Format.CYCLONEDX_XML);
        }
        assertThat(expected).isPositive();
        assertThat(sbom.components()).hasSize((int) expected);
    }

    @Test
    void parse_nestedComponentsAreFlattenedWithTheirParent() throws Exception {
        Path bare = SharedTestData.dir("sbom").resolve("juice-shop/via_npm/bare/bom.1.4.json");
        Sbom sbom = SbomParser.parse(Files.readAllBytes(bare));
        assertThat(sbom.components().stream().filter(c -> c.parent().isPresent()).count()).isEqualTo(1115 - 837);
        assertThat(sbom.components().stream().filter(c -> c.purl().isPresent()).count()).isGreaterThan(1000);
    }

    @Test
    void parse_refusesSchemaViolationWithItsLocation() {
        String bad = """
                {"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
                 "components":[{"type":"library","name":"ok","version":"1"},{"type":"gadget","name":"bad"}]}""";
        assertThatThrownBy(() -> SbomParser.parse(bad.getBytes()))
                .isInstanceOf(MalformedDocumentException.class)
                .satisfies(e -> {
                    MalformedDocumentException m = (MalformedDocumentException) e;
                    assertThat(m.location()).isEqualTo("/components/1/type"); // RFC 6901 JSON Pointer
                    assertThat(m.reason()).contains("CycloneDX 1.5 JSON schema");
                });
    }

    @Test
    void parse_refusesXmlSchemaViolationWithLineAndColumn() {
        String bad = """
                <?xml version="1.0" encoding="UTF-8"?>
                <bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">
                  <components>
                    <component type="gadget"><name>x</name></component>
                  </components>
                </bom>""";
        assertThatThrownBy(() -> SbomParser.parse(bad.getBytes()))
                .isInstanceOf(MalformedDocumentException.class)
                .satisfies(e -> assertThat(((MalformedDocumentException) e).location()).startsWith("line 4, column"));
    }

    @Test
    void parse_refusesXmlWithExternalEntity() {
        String xxe = """
                <?xml version="1.0"?>
                <!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]>
                <bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1"><components><component type="library"><name>&x;</name></component></components></bom>""";
        assertThatThrownBy(() -> SbomParser.parse(xxe.getBytes())).isInstanceOf(MalformedDocumentException.class);
    }

    @Test
    void parse_readsVexWithJustification() throws Exception {
        String vex = """
                {"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
                 "components":[{"type":"library","bom-ref":"lib-a","name":"a","version":"1.0","purl":"pkg:npm/a@1.0",
                                "components":[{"type":"library","bom-ref":"lib-b","name":"b","version":"2.0","cpe":"cpe:2.3:a:acme:b:2.0:*:*:*:*:*:*:*"}]}],
                 "vulnerabilities":[
                   {"id":"CVE-2026-0001","analysis":{"state":"not_affected","justification":"code_not_reachable","detail":"never called"},
                    "affects":[{"ref":"lib-a"}]},
                   {"id":"CVE-2026-0002","analysis":{"state":"resolved"},"affects":[{"ref":"lib-b"}]}]}""";
        Sbom sbom = SbomParser.parse(vex.getBytes());
        assertThat(sbom.components()).extracting(SbomComponent::name).containsExactly("a", "b");
        assertThat(sbom.components().get(1).parent()).contains("lib-a");
        assertThat(sbom.components().get(1).cpe()).contains("cpe:2.3:a:acme:b:2.0:*:*:*:*:*:*:*");
        assertThat(sbom.vex()).containsExactly(
                new VexStatement("CVE-2026-0001", "lib-a", VexStatement.State.NOT_AFFECTED, java.util.Optional.of("code_not_reachable"), java.util.Optional.of("never called")),
                new VexStatement("CVE-2026-0002", "lib-b", VexStatement.State.FIXED, java.util.Optional.empty(), java.util.Optional.empty()));
    }

    @Test
    void parse_readsSpdx23AndRefusesMissingRequiredField() throws Exception {
        String spdx = """
                {"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"fw-1.2",
                 "documentNamespace":"https://example.com/fw-1.2","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: x"]},
                 "packages":[
                   {"SPDXID":"SPDXRef-fw","name":"fw","versionInfo":"1.2","downloadLocation":"NOASSERTION"},
                   {"SPDXID":"SPDXRef-openssl","name":"openssl","versionInfo":"3.0.1","downloadLocation":"NOASSERTION",
                    "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:deb/debian/openssl@3.0.1"},
                                    {"referenceCategory":"SECURITY","referenceType":"cpe23Type","referenceLocator":"cpe:2.3:a:openssl:openssl:3.0.1:*:*:*:*:*:*:*"}]}],
                 "relationships":[{"spdxElementId":"SPDXRef-fw","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-openssl"}]}""";
        Sbom sbom = SbomParser.parse(spdx.getBytes());
        assertThat(sbom.format()).isEqualTo(Sbom.Format.SPDX_JSON);
        assertThat(sbom.components()).hasSize(2);
        SbomComponent ossl = sbom.components().get(1);
        assertThat(ossl.purl().map(Purl::packageKey)).contains("deb/debian/openssl");
        assertThat(ossl.parent()).contains("SPDXRef-fw");
        String missing = spdx.replace("\"downloadLocation\":\"NOASSERTION\"},", "\"x\":1},");
        assertThatThrownBy(() -> SbomParser.parse(missing.getBytes()))
                .satisfies(e -> assertThat(((MalformedDocumentException) e).location()).isEqualTo("$.packages[0].downloadLocation"));
    }
}
