package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** {@code holdfast advisories import|stats}: the offline advisory database (OSV, NVD CVE 2.0, CISA KEV, EPSS). */
@Command(name = "advisories", mixinStandardHelpOptions = true, description = "The offline advisory database: OSV, NVD CVE 2.0, CISA KEV, EPSS.",
        subcommands = {AdvisoriesCommand.Import.class, AdvisoriesCommand.Stats.class})
public final class AdvisoriesCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a verb is required: import or stats");
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Imports advisories from a file (OSV JSON/YAML, NVD feed, KEV JSON, EPSS CSV, .gz), a zip bundle or a directory of them.")
    static final class Import implements Runnable {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "PATH") Path path;
        @Option(names = "--json", description = "Print the server's JSON answer.") boolean json;

        @Override
        public void run() {
            if (!Files.exists(path)) throw CliFailure.usage(path + " does not exist");
            Path upload = path;
            Path temp = null;
            try {
                if (Files.isDirectory(path)) {
                    // A directory travels as one zip bundle: the server reads bundles the same way.
                    temp = Files.createTempFile("holdfast-advisories", ".zip");
                    zip(path, temp);
                    upload = temp;
                }
                String name = upload.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
                JsonNode r = admin.client().upload("POST", "/api/v1/advisories/imports?filename=" + name, "application/octet-stream", upload);
                if (json) {
                    System.out.println(r.toPrettyString());
                    return;
                }
                System.out.printf("imported %s: %d read, %d added, %d updated, %d unchanged, %d refused, %d KEV, %d EPSS%n", path, r.path("read").asLong(),
                        r.path("added").asLong(), r.path("updated").asLong(), r.path("unchanged").asLong(), r.path("refused").asLong(),
                        r.path("kev").asLong(), r.path("epss").asLong());
                for (JsonNode e : r.path("errors")) System.out.println("  refused: " + e.asText());
            } catch (IOException e) {
                throw CliFailure.usage("cannot bundle " + path + ": " + e.getMessage());
            } finally {
                if (temp != null) {
                    try {
                        Files.deleteIfExists(temp);
                    } catch (IOException ignored) {
                        // a temporary file left behind is harmless
                    }
                }
            }
        }

        static void zip(Path dir, Path target) throws IOException {
            List<Path> files;
            try (Stream<Path> s = Files.walk(dir, 8)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            try (OutputStream out = Files.newOutputStream(target); ZipOutputStream z = new ZipOutputStream(out)) {
                for (Path f : files) {
                    z.putNextEntry(new ZipEntry(dir.relativize(f).toString().replace('\\', '/')));
                    Files.copy(f, z);
                    z.closeEntry();
                }
            }
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Counts of advisories, KEV entries and EPSS scores, and the last imports.")
    static final class Stats implements Runnable {
        @Mixin
        AdminOptions admin;

        @Option(names = "--json", description = "Print the server's JSON answer.") boolean json;

        @Override
        public void run() {
            JsonNode r = admin.client().get("/api/v1/advisories/stats");
            if (json) {
                System.out.println(r.toPrettyString());
                return;
            }
            System.out.printf("OSV advisories %d, NVD CVEs %d, indexed packages/products %d, KEV entries %d, EPSS scores %d%n", r.path("osv").asLong(),
                    r.path("nvd").asLong(), r.path("indexedTargets").asLong(), r.path("kev").asLong(), r.path("epss").asLong());
            for (JsonNode i : r.path("lastImports")) {
                System.out.printf("  %s  %-40s %d added, %d updated, %d unchanged, %d refused%n", i.path("finishedAt").asText(), i.path("source").asText(),
                        i.path("added").asLong(), i.path("updated").asLong(), i.path("unchanged").asLong(), i.path("refused").asLong());
            }
        }
    }
}
