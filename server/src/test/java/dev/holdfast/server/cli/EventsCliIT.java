package dev.holdfast.server.cli;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.server.HoldfastServer;
import dev.holdfast.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code holdfast events ...} against a real server, and a server refusing a bad exporter configuration. */
class EventsCliIT {
    @TempDir
    Path dir;

    @Test
    void eventsTail_printsTheNewestEventsFiltered() throws Exception {
        Path data = dir.resolve("data");
        try (HoldfastServer server = TestServers.start(data)) {
            for (int i = 0; i < 30; i++) {
                server.events().append(SecurityEvent.builder(EventClass.AUTHENTICATION, "mqtt.connect").device("d-" + i)
                        .message("line\nbreak " + i).build());
            }
            String url = "https://127.0.0.1:" + server.httpsPort();
            CliRun tail = CliRun.of("events", "tail", "-n", "5", "--server", url, "--data-dir", data.toString());
            assertThat(tail.exit()).as(tail.err()).isZero();
            assertThat(tail.out().lines()).hasSize(5).last().satisfies(l -> assertThat(l).contains("mqtt.connect", "d-29", "line\\nbreak 29"));
            CliRun device = CliRun.of("events", "tail", "-n", "100", "--device", "d-3", "--json", "--server", url, "--data-dir", data.toString());
            assertThat(device.out().lines()).singleElement().satisfies(l -> assertThat(l).contains("\"deviceId\":\"d-3\""));
            CliRun exporters = CliRun.of("events", "exporters", "--server", url, "--data-dir", data.toString());
            assertThat(exporters.exit()).as(exporters.err()).isZero();
            assertThat(exporters.out()).startsWith("NAME");
            CliRun bad = CliRun.of("events", "tail", "--class", "nonsense", "--server", url, "--data-dir", data.toString());
            assertThat(bad.exit()).isNotZero();
            assertThat(bad.err()).contains("class");
        }
    }

    @Test
    void server_refusesToStartOnAnInvalidExporter_namingEachErrorsPath() throws Exception {
        Path yaml = Files.writeString(dir.resolve("holdfast.yaml"), """
                events:
                  exporters:
                    - name: sentinel
                      type: syslog
                      port: 0
                    - name: hook
                      type: webhook
                      url: https://soar.example/hook
                """);
        CliRun check = CliRun.of("config", "check", "--config", yaml.toString());
        assertThat(check.exit()).isEqualTo(2);
        assertThat(check.err()).contains("events.exporters[0].host: required")
                .contains("events.exporters[0].port: 0 is not a TCP port")
                .contains("events.exporters[1].secretFile: exactly one of secretFile and secretEnv is required");
        CliRun server = CliRun.of("server", "--data-dir", dir.resolve("never").toString(), "--config", yaml.toString());
        assertThat(server.exit()).isEqualTo(2);
        assertThat(dir.resolve("never")).doesNotExist();
    }
}
