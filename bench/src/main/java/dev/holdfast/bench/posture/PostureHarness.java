package dev.holdfast.bench.posture;

import dev.holdfast.posture.FirmwareImage;
import dev.holdfast.posture.Posture;
import dev.holdfast.posture.PostureSettings;
import dev.holdfast.posture.advisory.AdvisoryDatabase;
import dev.holdfast.posture.advisory.ImportReport;
import dev.holdfast.posture.baseline.RulePack;
import dev.holdfast.posture.match.Finding;
import dev.holdfast.posture.match.SbomMatcher;
import dev.holdfast.posture.sbom.Sbom;
import dev.holdfast.posture.sbom.SbomParser;
import dev.holdfast.registry.Registry;
import dev.holdfast.registry.RegistryJob;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Posture at scale (docs/PERFORMANCE.md, "Posture"):
 * <ol>
 *   <li>import a synthetic OSV bundle of {@code --advisories} records (zip, one JSON record per entry) into an
 *       empty SQLite store: wall time and peak RSS ({@code VmHWM});</li>
 *   <li>match a synthetic {@code --components}-component CycloneDX SBOM against it: cold and warm times;</li>
 *   <li>with {@code --devices} &gt; 0: a fleet of that many devices on {@code --images} firmware images (bulk-imported
 *       into the registry, one SBOM per image), evaluated once, then re-evaluated after an advisory import that
 *       touches a package of every image: time from the start of the import to the end of the re-evaluation.</li>
 * </ol>
 * Synthetic data: {@code PACKAGES} npm, PyPI, Maven and Debian packages with ten advisories each, SEMVER or
 * ECOSYSTEM ranges, one in four also naming explicit versions.
 */
public final class PostureHarness {
    static final String[] ECOSYSTEMS = {"npm", "PyPI", "Maven", "Debian:12"};
    static final String[] PURL = {"pkg:npm/", "pkg:pypi/", "pkg:maven/org.example/", "pkg:deb/debian/"};

    public static void main(String[] args) throws Exception {
        int advisories = intArg(args, "--advisories", 500_000);
        int components = intArg(args, "--components", 10_000);
        int devices = intArg(args, "--devices", 0);
        int images = intArg(args, "--images", 1000);
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "posture-bench");
        int packages = Math.max(1, advisories / 10);
        System.out.printf("posture bench in %s: %d advisories over %d packages, %d-component SBOM, %d devices on %d images; %d CPUs, max heap %d MiB%n",
                dir, advisories, packages, components, devices, images, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);

        Path bundle = dir.resolve("osv.zip");
        long t0 = System.nanoTime();
        writeBundle(bundle, advisories, packages, 0, "2026-01-01T00:00:00Z");
        System.out.printf("generated %s (%d MiB) in %.1f s%n", bundle.getFileName(), Files.size(bundle) >> 20, (System.nanoTime() - t0) / 1e9);

        try (Database db = Database.open(StoreConfig.embedded(dir.resolve("data")))) {
            db.migrate("registry");
            db.migrate("posture");
            Registry registry = Registry.open(db, e -> { }, Clock.systemUTC(), dir.resolve("registry"), 1000).start();
            Posture posture = Posture.open(db, registry, e -> { }, Clock.systemUTC(), PostureSettings.DEFAULTS, RulePack.defaultPack(), d -> List.of());
            long rssBefore = rss("VmHWM");
            t0 = System.nanoTime();
            ImportReport r = posture.importAdvisories(bundle, "bench");
            double importS = (System.nanoTime() - t0) / 1e9;
            System.out.printf("IMPORT %d records: %.1f s (%.0f records/s), %d added, %d refused; peak RSS %d MiB (before import %d MiB), heap used %d MiB%n",
                    r.read(), importS, r.read() / importS, r.added(), r.refused(), rss("VmHWM") >> 10, rssBefore >> 10, used() >> 20);
            t0 = System.nanoTime();
            ImportReport again = posture.importAdvisories(bundle, "bench");
            System.out.printf("RE-IMPORT (idempotent): %.1f s, %d unchanged, %d added, %d updated%n", (System.nanoTime() - t0) / 1e9, again.unchanged(),
                    again.added(), again.updated());

            Sbom sbom = SbomParser.parse(sbom(components, packages, new Random(7)).getBytes(StandardCharsets.UTF_8));
            SbomMatcher matcher = new SbomMatcher(posture.advisories().index());
            t0 = System.nanoTime();
            List<Finding> found = matcher.match(sbom);
            double cold = (System.nanoTime() - t0) / 1e6;
            double[] warm = new double[7];
            for (int i = 0; i < warm.length; i++) {
                long s = System.nanoTime();
                matcher.match(sbom);
                warm[i] = (System.nanoTime() - s) / 1e6;
            }
            Arrays.sort(warm);
            System.out.printf("MATCH %d components: %d findings; first %.0f ms, then median %.0f ms (min %.0f, max %.0f)%n", sbom.components().size(),
                    found.size(), cold, warm[warm.length / 2], warm[0], warm[warm.length - 1]);

            if (devices > 0) fleet(dir, posture, registry, devices, images, packages);
            posture.close();
            registry.close();
        }
        System.out.printf("peak RSS of the whole run %d MiB%n", rss("VmHWM") >> 10);
    }

    static void fleet(Path dir, Posture posture, Registry registry, int devices, int images, int packages) throws Exception {
        Random rnd = new Random(11);
        int models = Math.max(1, images / 100);
        for (int m = 0; m < models; m++) {
            registry.models().create(new dev.holdfast.registry.DeviceModel.Definition("model-" + m, "Bench", "M" + m, java.util.Optional.empty(),
                    java.util.Optional.empty(), java.util.Optional.empty()), "bench");
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < images; i++) {
            posture.uploadSbom(new FirmwareImage("model-" + (i % models), "fw-" + (i / models)), sbom(50, packages, rnd).getBytes(StandardCharsets.UTF_8), "bench");
        }
        posture.flush(Duration.ofMinutes(10));
        System.out.printf("uploaded %d SBOMs (50 components each) in %.1f s%n", images, (System.nanoTime() - t0) / 1e9);
        Path jsonl = Files.createDirectories(registry.jobs().importDirectory()).resolve("fleet.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(jsonl)) {
            for (int i = 0; i < devices; i++) {
                int img = i % images;
                w.write("{\"deviceId\":\"dev-" + i + "\",\"modelId\":\"model-" + (img % models) + "\",\"properties\":{\"reported\":{\"firmware\":{\"version\":\"fw-"
                        + (img / models) + "\"},\"services\":{\"ssh\":{\"port\":22,\"passwordLogin\":" + (i % 7 == 0) + "}},"
                        + "\"security\":{\"secureBoot\":true,\"debugPorts\":{\"jtag\":false},\"defaultCredentials\":false},"
                        + "\"time\":{\"ntp\":{\"enabled\":true,\"servers\":[\"ntp\"]}},\"update\":{\"mechanism\":\"ota\",\"signed\":true}}}}\n");
            }
        }
        t0 = System.nanoTime();
        RegistryJob job = registry.jobs().importFile(jsonl, "bench");
        for (int i = 0; i < 100_000 && !job.isFinished(); i++) {
            Thread.sleep(200);
            job = registry.jobs().get(job.id());
        }
        System.out.printf("registered %d devices in %.1f s (%s)%n", job.succeeded(), (System.nanoTime() - t0) / 1e9, job.status().wireName());
        t0 = System.nanoTime();
        Posture.FleetSummary first = posture.evaluateFleet();
        double firstS = (System.nanoTime() - t0) / 1e9;
        System.out.printf("FIRST EVALUATION of %d devices: %.1f s (%.0f devices/s): %d compliant, %d non-compliant, %d unknown; peak RSS %d MiB%n",
                first.devices(), firstS, first.devices() / firstS, first.compliant(), first.nonCompliant(), first.unknown(), rss("VmHWM") >> 10);
        // An import that changes one advisory of every package: every image is touched.
        Path update = dir.resolve("osv-update.zip");
        writeBundle(update, packages, packages, 0, "2026-06-01T00:00:00Z");
        t0 = System.nanoTime();
        ImportReport r = posture.importAdvisories(update, "bench");
        double importS = (System.nanoTime() - t0) / 1e9;
        posture.flush(Duration.ofHours(2));
        double total = (System.nanoTime() - t0) / 1e9;
        System.out.printf("RE-EVALUATION AFTER IMPORT (%d advisories updated, %d package keys): import %.1f s, import + re-evaluation of the fleet %.1f s; peak RSS %d MiB%n",
                r.updated(), r.changedTargets().size(), importS, total, rss("VmHWM") >> 10);
    }

    /** {@code n} OSV records, ten per package; {@code offset} shifts which record each package gets. */
    static void writeBundle(Path zip, int n, int packages, int offset, String modified) throws IOException {
        Random rnd = new Random(42);
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            z.setLevel(1);
            for (int i = 0; i < n; i++) {
                int pkg = i % packages;
                int eco = pkg % 4;
                String name = (eco == 2 ? "org.example:" : "") + "pkg-" + pkg;
                int major = i / packages;
                String range = eco == 0 || eco == 2 && rnd.nextBoolean()
                        ? "{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"" + major + ".0.0\"},{\"fixed\":\"" + major + "." + (1 + rnd.nextInt(9)) + ".0\"}]}"
                        : "{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"" + major + ".0\"},{\"fixed\":\"" + major + "." + (1 + rnd.nextInt(9)) + "\"}]}";
                String versions = i % 4 == 0 ? ",\"versions\":[\"" + major + ".0.1\",\"" + major + ".0.2\"]" : "";
                String rec = "{\"id\":\"BENCH-" + (i + offset) + "\",\"modified\":\"" + modified + "\",\"aliases\":[\"CVE-2026-" + (100000 + i) + "\"],"
                        + "\"summary\":\"synthetic advisory " + i + " for pkg-" + pkg + "\","
                        + "\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:" + (i % 2 == 0 ? "N" : "R") + "/S:U/C:H/I:H/A:H\"}],"
                        + "\"affected\":[{\"package\":{\"ecosystem\":\"" + ECOSYSTEMS[eco] + "\",\"name\":\"" + name + "\"},\"ranges\":[" + range + "]" + versions + "}]}";
                z.putNextEntry(new ZipEntry("osv/" + (i % 1000) + "/BENCH-" + (i + offset) + ".json"));
                z.write(rec.getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
    }

    /** A CycloneDX 1.5 SBOM of {@code n} components drawn from the advisory packages, versions 0.0.0..9.9.9. */
    static String sbom(int n, int packages, Random rnd) {
        StringBuilder b = new StringBuilder("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":[");
        for (int i = 0; i < n; i++) {
            int pkg = rnd.nextInt(packages);
            int eco = pkg % 4;
            String v = rnd.nextInt(10) + "." + rnd.nextInt(10) + (eco == 0 || eco == 2 ? "." + rnd.nextInt(3) : "");
            if (i > 0) b.append(',');
            b.append("{\"type\":\"library\",\"bom-ref\":\"c").append(i).append("\",\"name\":\"pkg-").append(pkg).append("\",\"version\":\"").append(v)
                    .append("\",\"purl\":\"").append(PURL[eco]).append("pkg-").append(pkg).append('@').append(v).append("\"}");
        }
        return b.append("]}").toString();
    }

    static long rss(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        return -1;
    }

    static long used() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static int intArg(String[] args, String name, int def) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return Integer.parseInt(args[i + 1]);
        return def;
    }
}
