package dev.holdfast.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.sensor.analysis.Alert;
import dev.holdfast.sensor.analysis.OuiTable;
import dev.holdfast.sensor.analysis.Report;
import dev.holdfast.sensor.analysis.ReportWriter;
import dev.holdfast.sensor.analysis.SensorAnalysis;
import dev.holdfast.sensor.analysis.SensorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Detection scenarios on generated captures: the baseline is an HMI (10.0.0.10) polling a PLC
 * (10.0.0.20) with Modbus reads, an IoT device (10.0.0.30) publishing to a broker (10.0.0.40)
 * without credentials and a TLS 1.2 client, for 20 minutes. Replaying it raises nothing; each
 * attack raises its alert, with the packets' timestamps.
 */
class DetectionTest {
    static final int HMI = 10, PLC = 20, DEVICE = 30, BROKER = 40, WEB = 50, ATTACKER = 66;
    static final long START = 1_700_000_000_000_000L;

    @TempDir
    Path dir;

    static void normalTraffic(PcapBuilder b, int minutes) {
        int port = 40000;
        for (int m = 0; m < minutes; m++) {
            for (int s = 0; s < 6; s++) {
                b.connection(HMI, port++, PLC, 502, new byte[][]{PcapBuilder.modbus(s, 1, 3, 0, 10)},
                        new byte[][]{PcapBuilder.modbus(s, 1, 3, 0x1400, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)});
                b.advance(10_000_000);
            }
            b.connection(DEVICE, port++, BROKER, 1883, new byte[][]{PcapBuilder.mqttConnect("sensor-7", null, null)}, new byte[][]{{0x20, 2, 0, 0}});
            b.connection(DEVICE, port++, WEB, 443, new byte[][]{PcapBuilder.clientHello(0x0303, "api.example.test")},
                    new byte[][]{PcapBuilder.serverHello(0x0303)});
        }
    }

    Path learning() throws IOException {
        PcapBuilder b = new PcapBuilder(START);
        normalTraffic(b, 20);
        return b.write(dir.resolve("learning.pcap"));
    }

    SensorAnalysis learned() throws IOException {
        SensorAnalysis a = new SensorAnalysis(SensorConfig.defaults(), OuiTable.load());
        a.learn(learning());
        return a;
    }

    @Test
    void cleanReplayOfTheLearningTraffic_raisesNoAlert() throws IOException {
        SensorAnalysis a = learned();
        a.analyze(learning());
        Report r = a.report();
        assertThat(r.alerts()).isEmpty();
        assertThat(r.assets()).extracting(Report.AssetView::role).contains("PLC/controller", "HMI/SCADA client", "MQTT broker");
        assertThat(r.assets()).filteredOn(v -> v.ips().contains("10.0.0.30")).singleElement()
                .satisfies(v -> assertThat(v.names()).contains("sensor-7"));
    }

    @Test
    void modbusWriteFromANewHost_raisesNewAssetAndNewIndustrialFunction() throws IOException {
        SensorAnalysis a = learned();
        PcapBuilder b = new PcapBuilder(START + 3_600_000_000L);
        normalTraffic(b, 1);
        b.connection(ATTACKER, 50000, PLC, 502, new byte[][]{PcapBuilder.modbus(7, 1, 6, 4, 0xFFFF)}, new byte[][]{PcapBuilder.modbus(7, 1, 6, 4, 0xFFFF)});
        a.analyze(b.write(dir.resolve("attack.pcap")));
        List<Alert> alerts = a.report().alerts();
        assertThat(alerts).extracting(Alert::kind).contains(Alert.Kind.NEW_ASSET, Alert.Kind.NEW_INDUSTRIAL_FUNCTION, Alert.Kind.NEW_FLOW);
        Alert write = alerts.stream().filter(x -> x.kind() == Alert.Kind.NEW_INDUSTRIAL_FUNCTION).findFirst().orElseThrow();
        assertThat(write.source()).isEqualTo("10.0.0.66");
        assertThat(write.observed()).contains("MODBUS function 6", "writes");
        assertThat(write.baseline()).contains("never sent");
        assertThat(write.packetTimes()).isNotEmpty();
        assertThat(write.frames()).isNotEmpty();
    }

    @Test
    void modbusWriteFromTheKnownHmi_isStillANewFunction() throws IOException {
        SensorAnalysis a = learned();
        PcapBuilder b = new PcapBuilder(START + 3_600_000_000L);
        b.connection(HMI, 51000, PLC, 502, new byte[][]{PcapBuilder.modbus(9, 1, 16, 0, 1, 0x0200, 7)}, null);
        a.analyze(b.write(dir.resolve("hmi-write.pcap")));
        assertThat(a.report().alerts()).extracting(Alert::kind).containsExactly(Alert.Kind.NEW_INDUSTRIAL_FUNCTION);
    }

    @Test
    void portScan_raisesPortScan() throws IOException {
        SensorAnalysis a = learned();
        PcapBuilder b = new PcapBuilder(START + 3_600_000_000L);
        for (int port = 1; port <= 100; port++) b.refused(HMI, 60000, PLC, port);
        a.analyze(b.write(dir.resolve("scan.pcap")));
        List<Alert> alerts = a.report().alerts();
        assertThat(alerts).extracting(Alert::kind).contains(Alert.Kind.PORT_SCAN).doesNotContain(Alert.Kind.NEW_FLOW);
        Alert scan = alerts.stream().filter(x -> x.kind() == Alert.Kind.PORT_SCAN).findFirst().orElseThrow();
        assertThat(scan.source()).isEqualTo("10.0.0.10");
        assertThat(scan.packetTimes()).hasSize(Alert.MAX_EVIDENCE);
    }

    @Test
    void cleartextMqttPassword_raisesCleartextCredentialsWithoutRecordingThePassword() throws IOException {
        SensorAnalysis a = learned();
        PcapBuilder b = new PcapBuilder(START + 3_600_000_000L);
        b.connection(DEVICE, 52000, BROKER, 1883, new byte[][]{PcapBuilder.mqttConnect("sensor-7", "meter", "hunter2-secret")}, new byte[][]{{0x20, 2, 0, 0}});
        a.analyze(b.write(dir.resolve("mqtt.pcap")));
        Report r = a.report();
        assertThat(r.alerts()).extracting(Alert::kind).containsExactly(Alert.Kind.CLEARTEXT_CREDENTIALS);
        assertThat(r.alerts().get(0).observed()).contains("MQTT", "'meter'").doesNotContain("hunter2");
        ReportWriter.write(r, dir.resolve("out"));
        assertThat(Files.readString(dir.resolve("out/report.json"))).doesNotContain("hunter2");
        assertThat(Files.readString(dir.resolve("out/report.html"))).contains("CLEARTEXT_CREDENTIALS").doesNotContain("hunter2");
        String ocsf = Files.readString(dir.resolve("out/alerts.ocsf.jsonl"));
        assertThat(ocsf.lines()).hasSize(1);
        assertThat(ocsf).contains("DETECTION_FINDING", "sensor.cleartext_credentials", "HIGH").doesNotContain("hunter2");
    }

    @Test
    void tls10Client_raisesWeakTls() throws IOException {
        SensorAnalysis a = learned();
        PcapBuilder b = new PcapBuilder(START + 3_600_000_000L);
        b.connection(DEVICE, 53000, WEB, 443, new byte[][]{PcapBuilder.clientHello(0x0301, "api.example.test")}, new byte[][]{PcapBuilder.serverHello(0x0301)});
        a.analyze(b.write(dir.resolve("tls10.pcap")));
        List<Alert> alerts = a.report().alerts();
        assertThat(alerts).extracting(Alert::kind).containsOnly(Alert.Kind.WEAK_TLS);
        assertThat(alerts).extracting(Alert::observed).anyMatch(o -> o.contains("TLS 1.0"));
    }

    @Test
    void arpReplyClaimingTheGatewaysAddress_raisesArpSpoofing() throws IOException {
        SensorAnalysis a = learned();
        PcapBuilder b = new PcapBuilder(START + 3_600_000_000L);
        b.arpReply(1, PcapBuilder.mac(1), HMI);
        b.arpReply(1, PcapBuilder.mac(ATTACKER), HMI);
        a.analyze(b.write(dir.resolve("arp.pcap")));
        assertThat(a.report().alerts()).extracting(Alert::kind).contains(Alert.Kind.ARP_SPOOFING);
    }

    @Test
    void trafficBurst_raisesVolumeAnomaly() throws IOException {
        SensorAnalysis a = learned();
        PcapBuilder b = new PcapBuilder(START + 3_600_000_000L);
        normalTraffic(b, 2);
        byte[][] many = new byte[3000][];
        for (int i = 0; i < many.length; i++) many[i] = PcapBuilder.modbus(i, 1, 3, 0, 10);
        b.connection(HMI, 54000, PLC, 502, many, null);
        normalTraffic(b, 2);
        a.analyze(b.write(dir.resolve("burst.pcap")));
        assertThat(a.report().alerts()).extracting(Alert::kind).contains(Alert.Kind.VOLUME_ANOMALY);
    }
}
