package dev.holdfast.posture.advisory;

import dev.holdfast.posture.PostureFixture;
import dev.holdfast.testing.SharedTestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class AdvisoryDatabaseTest {
    @TempDir
    Path tmp;

    private static long yamlFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).count();
        }
    }

    @Test
    void importPath_importsEveryTestDataOsvRecordAndIsIdempotent() throws Exception {
        Path osv = SharedTestData.dir("osv");
        long files = yamlFiles(osv);
        try (PostureFixture f = new PostureFixture(tmp)) {
            AdvisoryDatabase db = AdvisoryDatabase.open(f.db, f.events::add, f.clock);
            ImportReport first = db.importPath(osv, "test");
            assertThat(first.refused()).as(String.join("\n", first.errors())).isZero();
            assertThat(first.read()).isEqualTo(files);
            assertThat(first.added()).isEqualTo(files);
            assertThat(db.index().find("osv:OSV-2024-640")).get().satisfies(a -> {
                assertThat(a.affected()).singleElement().satisfies(p -> assertThat(p.target().key()).isEqualTo("generic/openssl"));
                assertThat(a.affected().get(0).ranges().get(0)).isInstanceOf(VersionRange.Events.class);
            });
            ImportReport again = db.importPath(osv, "test");
            assertThat(again.added() + again.updated()).isZero();
            assertThat(again.unchanged()).isEqualTo(files);
            assertThat(f.activities()).containsExactly("posture.advisories.imported", "posture.advisories.imported");
            // A restart loads what was stored.
            AdvisoryDatabase reopened = AdvisoryDatabase.open(f.db, e -> { }, f.clock);
            assertThat(reopened.index().advisories()).isEqualTo((int) files);
            assertThat(reopened.stats().lastImports()).hasSize(2);
        }
    }

    @Test
    void importPath_readsZipBundleAndCountsBadRecordsWithoutStopping() throws Exception {
        Path zip = tmp.resolve("bundle.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            put(z, "a/GHSA-1.json", """
                    {"id":"GHSA-1","modified":"2026-01-01T00:00:00Z","aliases":["CVE-2026-1000"],
                     "affected":[{"package":{"ecosystem":"npm","name":"left-pad"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.3.0"}]}]}]}""");
            put(z, "a/bad.json", "{\"id\":\"X\"}");
            put(z, "README.md", "not an advisory");
        }
        try (PostureFixture f = new PostureFixture(tmp.resolve("db"))) {
            AdvisoryDatabase db = AdvisoryDatabase.open(f.db, f.events::add, f.clock);
            ImportReport r = db.importPath(zip, "test");
            assertThat(r.added()).isEqualTo(1);
            assertThat(r.refused()).isEqualTo(1);
            assertThat(r.errors()).singleElement().asString().contains("bundle.zip!a/bad.json").contains("$.modified");
            assertThat(db.index().lookup("npm/left-pad")).hasSize(1);
        }
    }

    @Test
    void importPath_updatesOnlyWhenNewer() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("osv"));
        String v1 = """
                {"id":"GHSA-2","modified":"2026-01-02T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"Django"},
                 "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"4.0"},{"fixed":"4.2.1"}]}]}]}""";
        try (PostureFixture f = new PostureFixture(tmp.resolve("db"))) {
            AdvisoryDatabase db = AdvisoryDatabase.open(f.db, f.events::add, f.clock);
            Files.writeString(dir.resolve("GHSA-2.json"), v1);
            assertThat(db.importPath(dir, "t").added()).isEqualTo(1);
            Files.writeString(dir.resolve("GHSA-2.json"), v1.replace("2026-01-02", "2025-12-01").replace("4.2.1", "4.2.9"));
            ImportReport older = db.importPath(dir, "t");
            assertThat(older.updated()).isZero();
            assertThat(older.unchanged()).isEqualTo(1);
            Files.writeString(dir.resolve("GHSA-2.json"), v1.replace("2026-01-02", "2026-02-01").replace("4.2.1", "4.2.2"));
            ImportReport newer = db.importPath(dir, "t");
            assertThat(newer.updated()).isEqualTo(1);
            assertThat(newer.changedTargets()).containsExactly("pypi/django");
            assertThat(db.index().lookup("pypi/django")).singleElement().satisfies(p ->
                    assertThat(p.affected().ranges().get(0).toString()).contains("fixed 4.2.2"));
        }
    }

    @Test
    void importPath_readsNvdKevAndEpss() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("feeds"));
        Files.writeString(dir.resolve("nvdcve-2.0-2021.json"), """
                {"resultsPerPage":1,"format":"NVD_CVE","version":"2.0","vulnerabilities":[{"cve":{"id":"CVE-2021-44228",
                 "published":"2021-12-10T10:15:09.143","lastModified":"2024-04-03T17:15:08.123","vulnStatus":"Analyzed",
                 "descriptions":[{"lang":"en","value":"Log4Shell"}],
                 "metrics":{"cvssMetricV31":[{"source":"nvd@nist.gov","type":"Primary","cvssData":{"version":"3.1",
                   "vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H","baseScore":10.0}}]},
                 "configurations":[{"nodes":[{"operator":"OR","negate":false,"cpeMatch":[
                   {"vulnerable":true,"criteria":"cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*","versionStartIncluding":"2.0.1","versionEndExcluding":"2.3.1"},
                   {"vulnerable":true,"criteria":"cpe:2.3:a:apache:log4j:2.0:beta9:*:*:*:*:*:*"},
                   {"vulnerable":false,"criteria":"cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*"}]}]}]}}]}""");
        Files.writeString(dir.resolve("known_exploited_vulnerabilities.json"), """
                {"title":"CISA KEV","catalogVersion":"2026.11.01","count":1,"vulnerabilities":[{"cveID":"CVE-2021-44228","vendorProject":"Apache",
                 "product":"Log4j2","vulnerabilityName":"Log4Shell","dateAdded":"2021-12-10","dueDate":"2021-12-24","knownRansomwareCampaignUse":"Known"}]}""");
        Files.writeString(dir.resolve("epss_scores-2026-11-29.csv"), """
                #model_version:v2025.03.14,score_date:2026-11-29T00:00:00+0000
                cve,epss,percentile
                CVE-2021-44228,0.94358,0.99967
                """);
        try (PostureFixture f = new PostureFixture(tmp.resolve("db"))) {
            AdvisoryDatabase db = AdvisoryDatabase.open(f.db, f.events::add, f.clock);
            ImportReport r = db.importPath(dir, "t");
            assertThat(r.errors()).isEmpty();
            assertThat(r.added()).isEqualTo(1);
            assertThat(r.kev()).isEqualTo(1);
            assertThat(r.epss()).isEqualTo(1);
            Advisory log4shell = db.index().find("nvd:CVE-2021-44228").orElseThrow();
            assertThat(log4shell.affected()).hasSize(2);
            assertThat(db.index().kev(log4shell)).get().satisfies(k -> assertThat(k.ransomware()).isTrue());
            assertThat(db.index().epss(log4shell)).get().satisfies(e -> assertThat(e.epss()).isEqualTo(0.94358));
            ImportReport again = db.importPath(dir, "t");
            assertThat(again.changedAnything()).isFalse();
        }
    }

    private static void put(ZipOutputStream z, String name, String text) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        OutputStream o = z;
        o.write(text.getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
    }
}
