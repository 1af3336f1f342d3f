package dev.holdfast.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.holdfast.server.cli.DeviceCliIT.args;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code holdfast sbom|advisories|posture ...} against a real server, as an operator types them. */
class PostureCliIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void uploadImportEvaluateAndAudit_throughTheCli() throws Exception {
        Path data = dir.resolve("data");
        try (HoldfastServer server = TestServers.start(data)) {
            List<String> common = List.of("--server", "https://127.0.0.1:" + server.httpsPort(), "--data-dir", data.toString());
            assertThat(CliRun.of(args(common, "model", "create", "acme-cam", "--manufacturer", "Acme", "--model", "Cam")).exit()).isZero();
            assertThat(CliRun.of(args(common, "device", "create", "cam-1", "--model", "acme-cam")).exit()).isZero();
            // What the hub stores when the device reports (the simulator's shape, docs/posture.md).
            server.registry().registry().devices().patchReported(DeviceId.parse("cam-1"), JsonDocument.parse("""
                    {"firmware":{"version":"1.0"},"services":{"telnet":{"port":23}},
                     "security":{"secureBoot":true,"debugPorts":{},"defaultCredentials":false},
                     "time":{"ntp":{"enabled":true,"servers":["ntp.example.net"]}},"update":{"mechanism":"ota","signed":true}}"""));

            Path sbom = Files.writeString(dir.resolve("bom.json"), """
                    {"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[
                      {"type":"library","name":"openssl","version":"3.0.11-1~deb12u1","purl":"pkg:deb/debian/openssl@3.0.11-1~deb12u1"}]}""");
            CliRun up = CliRun.of(args(common, "sbom", "upload", "--model", "acme-cam", "--version", "1.0", sbom.toString()));
            assertThat(up.exit()).as(up.err()).isZero();
            assertThat(up.out()).contains("stored SBOM for acme-cam@1.0: cyclonedx-json 1.5, 1 components");
            Path bad = Files.writeString(dir.resolve("bad.json"), "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"type\":\"gadget\",\"name\":\"x\"}]}");
            CliRun refused = CliRun.of(args(common, "sbom", "upload", "--model", "acme-cam", "--version", "1.0", bad.toString()));
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("(422)").contains("/components/0/type").contains("CycloneDX 1.5 JSON schema");

            Path adv = Files.createDirectories(dir.resolve("advisories"));
            Files.writeString(adv.resolve("DSA-1.json"), """
                    {"id":"DSA-0001-1","modified":"2026-01-01T00:00:00Z","aliases":["CVE-2026-0001"],
                     "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
                     "affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.11-1~deb12u2"}]}]}]}""");
            CliRun imported = CliRun.of(args(common, "advisories", "import", adv.toString()));
            assertThat(imported.exit()).as(imported.err()).isZero();
            assertThat(imported.out()).contains("1 read, 1 added, 0 updated, 0 unchanged, 0 refused");
            assertThat(CliRun.of(args(common, "advisories", "import", adv.toString())).out()).contains("0 added, 0 updated, 1 unchanged");
            assertThat(CliRun.of(args(common, "advisories", "stats")).out()).contains("OSV advisories 1, NVD CVEs 0");

            CliRun device = CliRun.of(args(common, "posture", "device", "cam-1"));
            assertThat(device.exit()).as(device.err()).isZero();
            assertThat(device.out()).startsWith("cam-1: non-compliant, risk").contains("HF-BASE-TELNET").contains("DSA-0001-1")
                    .contains("upgrade pkg:deb/debian/openssl@3.0.11-1~deb12u1 to 3.0.11-1~deb12u2");
            JsonNode json = JSON.readTree(CliRun.of(args(common, "posture", "device", "cam-1", "--json")).out());
            assertThat(json.path("compliance").asText()).isEqualTo("non-compliant");
            assertThat(server.registry().registry().devices().get(DeviceId.parse("cam-1")).health().compliance().wireName()).isEqualTo("non-compliant");
            assertThat(CliRun.of(args(common, "sbom", "show", "acme-cam", "1.0")).out()).contains("DSA-0001-1").contains("fixed in 3.0.11-1~deb12u2");

            assertThat(CliRun.of(args(common, "posture", "fleet")).out()).contains("1 devices: 0 compliant, 1 non-compliant, 0 unknown");
            JsonNode audit = JSON.readTree(CliRun.of(args(common, "posture", "audit", "--json")).out());
            assertThat(audit.path("devicesAudited").asInt()).isEqualTo(1);
            assertThat(audit.path("findings").findValuesAsText("check")).contains("HF-AUDIT-EVENT-EXPORT");
        }
    }
}
