package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.Main;
import dev.holdfast.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code holdfast device ...} and {@code holdfast model ...} as an operator types them, against a real server. */
class DeviceCliIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    @Test
    void registerInspectQueryDisableImportExportAndDelete_throughTheCli() throws Exception {
        Path data = dir.resolve("data");
        try (HoldfastServer server = TestServers.start(data)) {
            List<String> common = List.of("--server", "https://127.0.0.1:" + server.httpsPort(), "--data-dir", data.toString());
            CliRun model = cli(args(common, "model", "create", "acme-m1", "--manufacturer", "Acme", "--model", "M1", "--end-of-support", "2031-12-31"));
            assertThat(model.exit()).as(model.err()).isZero();
            assertThat(cli(args(common, "model", "list")).out()).contains("acme-m1", "2031-12-31");
            assertThat(cli(args(common, "model", "show", "acme-m1")).out()).contains("manufacturer:", "Acme");

            CliRun gw = cli(args(common, "device", "create", "gw-1", "--gateway", "--hub", "hub-1.example", "--lifecycle", "active", "--auth", "ca"));
            assertThat(gw.exit()).as(gw.err()).isZero();
            CliRun created = cli(args(common, "device", "create", "meter#1", "--parent", "gw-1", "--model", "acme-m1", "--tags", "{\"site\":\"plant-3\"}",
                    "--desired", "{\"interval\":60}", "--thumbprint", "ab".repeat(32)));
            assertThat(created.exit()).as(created.err()).isZero();
            JsonNode d = JSON.readTree(created.out());
            assertThat(d.path("deviceId").asText()).isEqualTo("meter#1");
            assertThat(d.at("/authentication/type").asText()).isEqualTo("certificate");

            CliRun show = cli(args(common, "device", "show", "meter#1", "--twin"));
            assertThat(JSON.readTree(show.out()).at("/properties/desired/interval").asInt()).isEqualTo(60);
            CliRun list = cli(args(common, "device", "list", "--parent", "gw-1"));
            assertThat(list.out().lines().skip(1)).singleElement().satisfies(l -> assertThat(l).startsWith("meter#1 ").contains("gw-1"));

            CliRun query = cli(args(common, "device", "query", "SELECT * FROM devices WHERE tags.site = 'plant-3'"));
            assertThat(query.exit()).as(query.err()).isZero();
            assertThat(query.out().lines()).hasSize(1).allSatisfy(l -> assertThat(l).contains("\"meter#1\""));
            CliRun badQuery = cli(args(common, "device", "query", "SELECT * FROM devices WHERE"));
            assertThat(badQuery.exit()).isEqualTo(1);
            assertThat(badQuery.err().strip()).startsWith("holdfast: Bad request (400): query at ").hasLineCount(1);

            CliRun disable = cli(args(common, "device", "disable", "meter#1", "--reason", "reported stolen"));
            assertThat(disable.out()).contains("meter#1 disabled: reported stolen");
            assertThat(cli(args(common, "device", "enable", "meter#1")).out()).contains("meter#1 enabled");
            CliRun noReason = cli(args(common, "device", "disable", "meter#1"));
            assertThat(noReason.exit()).isEqualTo(2);

            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 20; i++) lines.append("{\"deviceId\":\"imp-").append(i).append("\",\"parentId\":\"gw-1\"}\n");
            Path file = Files.writeString(dir.resolve("fleet.jsonl"), lines);
            CliRun imported = cli(args(common, "device", "import", file.toString()));
            assertThat(imported.exit()).as(imported.err()).isZero();
            assertThat(imported.err()).contains("20 applied, 0 refused (20 created, 0 updated, 0 unchanged, 0 deleted)");
            Files.writeString(file, lines + "{\"deviceId\":\"no good\"}\n");
            CliRun refused = cli(args(common, "device", "import", file.toString()));
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("line 21: deviceId: 'no good'").contains("holdfast: 1 lines refused");

            Path out = dir.resolve("export.jsonl");
            CliRun export = cli(args(common, "device", "export", "--out", out.toString()));
            assertThat(export.exit()).as(export.err()).isZero();
            List<String> exported = Files.readAllLines(out);
            assertThat(exported).hasSize(22);
            assertThat(exported.get(0)).contains("\"gw-1\"");

            CliRun delete = cli(args(common, "device", "delete", "gw-1"));
            assertThat(delete.exit()).isEqualTo(1);
            assertThat(delete.err().strip()).isEqualTo("holdfast: Conflict (409): device 'gw-1' is the parent of other devices; delete or detach them first");
            assertThat(cli(args(common, "device", "delete", "meter#1")).out()).contains("deleted meter#1");
            CliRun gone = cli(args(common, "device", "show", "meter#1"));
            assertThat(gone.exit()).isEqualTo(1);
            assertThat(gone.err().strip()).isEqualTo("holdfast: Not found (404): device 'meter#1' does not exist");
            CliRun badTags = cli(args(common, "device", "create", "x", "--tags", "{not json"));
            assertThat(badTags.exit()).isEqualTo(2);
            assertThat(badTags.err()).startsWith("holdfast: --tags: not valid JSON");
        }
    }

    static String[] args(List<String> common, String... verb) {
        List<String> all = new ArrayList<>(List.of(verb));
        all.addAll(common);
        return all.toArray(String[]::new);
    }
}
