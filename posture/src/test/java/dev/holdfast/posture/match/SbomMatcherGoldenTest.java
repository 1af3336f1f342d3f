package dev.holdfast.posture.match;

import dev.holdfast.posture.PostureFixture;
import dev.holdfast.posture.advisory.AdvisoryDatabase;
import dev.holdfast.posture.advisory.ImportReport;
import dev.holdfast.posture.sbom.Sbom;
import dev.holdfast.posture.sbom.SbomParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A firmware SBOM and an advisory set built here, with every kind of range Holdfast evaluates (OSV
 * SEMVER and ECOSYSTEM in six orderings, last_affected, explicit versions, GIT, NVD CPE bounds of all
 * four kinds and an exact CPE version) and VEX statements, yield exactly the expected findings.
 */
class SbomMatcherGoldenTest {
    @TempDir
    Path tmp;

    private static String osv(String id, String ecosystem, String name, String rangeType, String events, String versions) {
        return "{\"id\":\"" + id + "\",\"modified\":\"2026-01-01T00:00:00Z\",\"aliases\":[\"CVE-" + id.substring(id.length() - 4).replace('-', '0') + "-0001\"],"
                + "\"affected\":[{\"package\":{\"ecosystem\":\"" + ecosystem + "\",\"name\":\"" + name + "\"}"
                + (rangeType == null ? "" : ",\"ranges\":[{\"type\":\"" + rangeType + "\",\"events\":[" + events + "]}]")
                + (versions == null ? "" : ",\"versions\":[" + versions + "]") + "}]}";
    }

    private static String cpe(String id, String criteria, String bounds) {
        return "{\"cve\":{\"id\":\"" + id + "\",\"lastModified\":\"2026-01-01T00:00:00.000\",\"configurations\":[{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":["
                + "{\"vulnerable\":true,\"criteria\":\"" + criteria + "\"" + bounds + "}]}]}]}}";
    }

    @Test
    void match_yieldsExactlyTheExpectedFindings() throws Exception {
        Path adv = Files.createDirectories(tmp.resolve("advisories"));
        // --- OSV, one per ordering; "hit" in the id means the SBOM's version is inside.
        Files.writeString(adv.resolve("1.json"), osv("HIT-SEMVER", "Go", "github.com/acme/mqtt", "SEMVER", "{\"introduced\":\"1.0.0\"},{\"fixed\":\"1.4.2\"}", null));
        Files.writeString(adv.resolve("2.json"), osv("MISS-SEMVER", "Go", "github.com/acme/mqtt", "SEMVER", "{\"introduced\":\"1.0.0\"},{\"fixed\":\"1.4.0-rc.1\"}", null));
        Files.writeString(adv.resolve("3.json"), osv("HIT-MAVEN", "Maven", "org.apache.logging.log4j:log4j-core", "ECOSYSTEM", "{\"introduced\":\"2.0-beta9\"},{\"fixed\":\"2.15.0\"}", null));
        Files.writeString(adv.resolve("4.json"), osv("MISS-MAVEN", "Maven", "org.apache.logging.log4j:log4j-core", "ECOSYSTEM", "{\"introduced\":\"2.0\"},{\"fixed\":\"2.14.1-rc1\"}", null));
        Files.writeString(adv.resolve("5.json"), osv("HIT-PYPI", "PyPI", "Paho_MQTT", "ECOSYSTEM", "{\"introduced\":\"0\"},{\"last_affected\":\"2.0.0rc1\"}", null));
        Files.writeString(adv.resolve("6.json"), osv("MISS-PYPI", "PyPI", "paho-mqtt", "ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"2.0.0.dev1\"}", null));
        Files.writeString(adv.resolve("7.json"), osv("HIT-DEB", "Debian:12", "openssl", "ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"3.0.11-1~deb12u2\"}", null));
        Files.writeString(adv.resolve("8.json"), osv("MISS-DEB", "Debian:12", "openssl", "ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"3.0.11-1~deb12u1~\"}", null));
        Files.writeString(adv.resolve("9.json"), osv("HIT-APK", "Alpine:v3.19", "busybox", "ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"1.36.1-r16\"}", null));
        Files.writeString(adv.resolve("10.json"), osv("MISS-APK", "Alpine:v3.19", "busybox", "ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"1.36.1_rc1\"}", null));
        Files.writeString(adv.resolve("11.json"), osv("HIT-RPM", "Red Hat", "glibc", "ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"2.34-100.el9\"}", null));
        Files.writeString(adv.resolve("12.json"), osv("MISS-RPM", "Red Hat", "glibc", "ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"2.34~rc1\"}", null));
        Files.writeString(adv.resolve("13.json"), osv("HIT-NPM", "npm", "ws", "SEMVER", "{\"introduced\":\"8.0.0\"},{\"fixed\":\"8.17.1\"}", null));
        Files.writeString(adv.resolve("14.json"), osv("HIT-LIST", "npm", "ws", null, null, "\"8.2.0\",\"8.16.0\""));
        Files.writeString(adv.resolve("15.json"), osv("MISS-LIST", "npm", "ws", null, null, "\"8.2.0\",\"8.16.1\""));
        Files.writeString(adv.resolve("16.json"), osv("MISS-GIT", "OSS-Fuzz", "zlib", "GIT", "{\"introduced\":\"abc\"},{\"fixed\":\"def\"}", null));
        Files.writeString(adv.resolve("17.json"), osv("HIT-VEX-NA", "npm", "ws", "SEMVER", "{\"introduced\":\"0\"}", null));
        Files.writeString(adv.resolve("18.json"), osv("HIT-VEX-FIXED", "Maven", "org.apache.logging.log4j:log4j-core", "ECOSYSTEM", "{\"introduced\":\"0\"}", null));
        Files.writeString(adv.resolve("19.json"), osv("HIT-NAME", "OSS-Fuzz", "zlib", null, null, "\"1.2.11\""));
        // --- NVD, one CPE bound kind per CVE.
        String feed = "{\"format\":\"NVD_CVE\",\"version\":\"2.0\",\"vulnerabilities\":[" + String.join(",",
                cpe("CVE-2026-1001", "cpe:2.3:a:acme:bootloader:*:*:*:*:*:*:*:*", ",\"versionStartIncluding\":\"2.1\",\"versionEndExcluding\":\"2.3\""),
                cpe("CVE-2026-1002", "cpe:2.3:a:acme:bootloader:*:*:*:*:*:*:*:*", ",\"versionStartExcluding\":\"2.2\""),
                cpe("CVE-2026-1003", "cpe:2.3:a:acme:bootloader:*:*:*:*:*:*:*:*", ",\"versionEndIncluding\":\"2.2\""),
                cpe("CVE-2026-1004", "cpe:2.3:a:acme:bootloader:*:*:*:*:*:*:*:*", ",\"versionEndExcluding\":\"2.2\""),
                cpe("CVE-2026-1005", "cpe:2.3:a:acme:bootloader:2.2:*:*:*:*:*:*:*", ""),
                cpe("CVE-2026-1006", "cpe:2.3:a:acme:bootloader:2.2.1:*:*:*:*:*:*:*", ""),
                cpe("CVE-2026-1007", "cpe:2.3:a:other:bootloader:*:*:*:*:*:*:*:*", "")) + "]}";
        Files.writeString(adv.resolve("nvd.json"), feed);

        String sbomJson = """
                {"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
                 "metadata":{"component":{"type":"firmware","name":"acme-gw","version":"4.2"}},
                 "components":[
                  {"type":"library","bom-ref":"mqtt","name":"mqtt","version":"1.4.0","purl":"pkg:golang/github.com/acme/mqtt@1.4.0"},
                  {"type":"library","bom-ref":"log4j","name":"log4j-core","version":"2.14.1","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
                  {"type":"library","bom-ref":"paho","name":"paho-mqtt","version":"2.0.0rc1","purl":"pkg:pypi/paho-mqtt@2.0.0rc1"},
                  {"type":"operating-system","bom-ref":"os","name":"debian","version":"12","components":[
                    {"type":"library","bom-ref":"openssl","name":"openssl","version":"3.0.11-1~deb12u1","purl":"pkg:deb/debian/openssl@3.0.11-1~deb12u1"},
                    {"type":"library","bom-ref":"busybox","name":"busybox","version":"1.36.1-r15","purl":"pkg:apk/alpine/busybox@1.36.1-r15"},
                    {"type":"library","bom-ref":"glibc","name":"glibc","version":"2.34-83.el9","purl":"pkg:rpm/redhat/glibc@2.34-83.el9"}]},
                  {"type":"library","bom-ref":"ws","name":"ws","version":"8.16.0","purl":"pkg:npm/ws@8.16.0"},
                  {"type":"library","bom-ref":"zlib","name":"zlib","version":"1.2.11"},
                  {"type":"firmware","bom-ref":"boot","name":"bootloader","version":"2.2","cpe":"cpe:2.3:a:acme:bootloader:2.2:*:*:*:*:*:*:*"}],
                 "vulnerabilities":[
                  {"id":"HIT-VEX-NA","analysis":{"state":"not_affected","justification":"code_not_reachable","detail":"server mode unused"},
                   "affects":[{"ref":"ws"}]},
                  {"id":"CVE-IXED-0001","analysis":{"state":"resolved","detail":"backported patch"},"affects":[{"ref":"log4j"}]},
                  {"id":"HIT-NPM","analysis":{"state":"exploitable"},"affects":[{"ref":"ws"}]}]}""";
        // The log4j VEX statement names the advisory by its alias (CVE-IXED-0001): aliases count.
        Sbom sbom = SbomParser.parse(sbomJson.getBytes());
        try (PostureFixture f = new PostureFixture(tmp.resolve("db"))) {
            AdvisoryDatabase db = AdvisoryDatabase.open(f.db, f.events::add, f.clock);
            ImportReport r = db.importPath(adv, "test");
            assertThat(r.errors()).isEmpty();
            List<Finding> findings = new SbomMatcher(db.index()).match(sbom);
            List<String> got = findings.stream()
                    .map(x -> x.advisory().id() + " " + x.component().name() + (x.open() ? "" : " suppressed:" + x.suppressedBy().get().state().wireName()
                            + x.suppressedBy().get().justification().map(j -> "/" + j).orElse("")))
                    .sorted().toList();
            assertThat(got).containsExactly(
                    "CVE-2026-1001 bootloader",
                    "CVE-2026-1003 bootloader",
                    "CVE-2026-1005 bootloader",
                    "HIT-APK busybox",
                    "HIT-DEB openssl",
                    "HIT-LIST ws",
                    "HIT-MAVEN log4j-core",
                    "HIT-NAME zlib",
                    "HIT-NPM ws",
                    "HIT-PYPI paho-mqtt",
                    "HIT-RPM glibc",
                    "HIT-SEMVER mqtt",
                    "HIT-VEX-FIXED log4j-core suppressed:fixed",
                    "HIT-VEX-NA ws suppressed:not_affected/code_not_reachable");
            Finding maven = findings.stream().filter(x -> x.advisory().id().equals("HIT-MAVEN")).findFirst().orElseThrow();
            assertThat(maven.fixedVersion()).contains("2.15.0");
            assertThat(maven.matchedBy()).isEqualTo("purl");
            assertThat(maven.reason()).contains("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1").contains("ECOSYSTEM introduced 2.0-beta9, fixed 2.15.0");
            Finding boot = findings.stream().filter(x -> x.advisory().id().equals("CVE-2026-1001")).findFirst().orElseThrow();
            assertThat(boot.matchedBy()).isEqualTo("cpe");
            assertThat(boot.range()).isEqualTo("CPE >= 2.1 < 2.3");
            assertThat(boot.fixedVersion()).contains("2.3");
        }
    }
}
