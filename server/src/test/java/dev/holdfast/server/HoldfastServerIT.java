package dev.holdfast.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.server.cli.AdminClient;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole server process on loopback: first start, bootstrap files, a real client, restart. */
class HoldfastServerIT {
    @TempDir
    Path dir;


    @Test
    void firstStart_writesBootstrapFilesThatClientsUse_andRestartKeepsTheToken() throws Exception {
        Path data = dir.resolve("data");
        String token;
        try (HoldfastServer server = TestServers.start(data)) {
            Path tokenFile = data.resolve("bootstrap/admin.token");
            Path bundle = data.resolve("bootstrap/trust-bundle.pem");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
            token = Files.readString(tokenFile);

            ProcessRun curl = ProcessRun.run(dir, List.of(ExternalTool.require("curl").toString(), "-sS", "--max-time", "20",
                    "--cacert", bundle.toString(), "https://localhost:" + server.httpsPort() + "/readyz"), Map.of(), null, 30);
            assertThat(curl.assertSuccess("curl /readyz").stdout()).contains("\"database\":\"ok\"");

            AdminClient client = AdminClient.connect(URI.create("https://localhost:" + server.httpsPort()), data, null, Map.of());
            JsonNode tokens = client.get("/api/v1/tokens");
            assertThat(tokens).singleElement().satisfies(t -> assertThat(t.path("name").asText()).isEqualTo("bootstrap-admin"));
        }
        try (HoldfastServer again = TestServers.start(data)) {
            assertThat(Files.readString(data.resolve("bootstrap/admin.token"))).isEqualTo(token);
            assertThat(again.httpsUri().getScheme()).isEqualTo("https");
        }
    }

    @Test
    void cli_rendersRefusalsAndUsageErrorsAsOneLineWithExitCodes() throws Exception {
        Path data = dir.resolve("data");
        try (HoldfastServer server = TestServers.start(data)) {
            String url = "https://localhost:" + server.httpsPort();
            Run ok = cli("token", "list", "--server", url, "--data-dir", data.toString());
            assertThat(ok.exit).as(ok.err).isZero();
            assertThat(ok.out).contains("bootstrap-admin");

            Run refused = cli("token", "revoke", "0000000000000000", "--server", url, "--data-dir", data.toString());
            assertThat(refused.exit).isEqualTo(1);
            assertThat(refused.err).isEqualTo("holdfast: Not found (404): no active API token with id '0000000000000000'\n");

            Run noToken = cli("token", "list", "--server", url, "--data-dir", dir.resolve("elsewhere").toString());
            assertThat(noToken.exit).isEqualTo(2);
            assertThat(noToken.err).startsWith("holdfast: no API token").hasLineCount(1);
        }
        Run badOption = cli("token", "list", "--no-such-option");
        assertThat(badOption.exit).isEqualTo(2);
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run cli(String... args) {
        var cl = Main.commandLine();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        var stdout = System.out;
        try {
            System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
            int exit = cl.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
    }
}
