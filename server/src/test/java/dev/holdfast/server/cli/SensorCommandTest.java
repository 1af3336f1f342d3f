package dev.holdfast.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.testing.SharedTestData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SensorCommandTest {
    @TempDir
    Path dir;

    @Test
    void analyze_writesJsonAndHtmlReportsOfTheCaptures() throws Exception {
        Path ics = SharedTestData.dir("pcap/ics");
        Path net = SharedTestData.dir("pcap/net");
        CliRun run = CliRun.of("sensor", "analyze", ics.resolve("s7comm_clean.pcap").toString(), ics.resolve("zeek-modbusSmall.pcap").toString(),
                net.resolve("dhcp-rfc4388.pcap").toString(), net.resolve("LLDP_and_CDP.pcap").toString(), "--out", dir.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("assets", "report.html");
        JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(report.get("assets").size()).isGreaterThan(3);
        assertThat(report.get("assets").findValuesAsText("role")).contains("PLC/controller");
        assertThat(report.get("conversations").size()).isPositive();
        assertThat(Files.readString(dir.resolve("report.html"))).contains("<h2>Assets</h2>", "S7COMM", "MODBUS").doesNotContain("<script");
    }

    @Test
    void analyze_refusesAMissingCaptureWithOneLine() {
        CliRun run = CliRun.of("sensor", "analyze", dir.resolve("nope.pcap").toString(), "--out", dir.resolve("out").toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().strip()).contains("nope.pcap does not exist").doesNotContain("Exception");
    }

    @Test
    void run_refusesAnUnknownInterfaceWithOneLine() {
        CliRun run = CliRun.of("sensor", "run", "--interface", "no-such-if0", "--duration", "PT1S", "--out", dir.resolve("live").toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err().strip()).contains("no-such-if0").doesNotContain("Exception");
    }
}
