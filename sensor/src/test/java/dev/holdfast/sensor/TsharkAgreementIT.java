package dev.holdfast.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.sensor.decode.Addresses;
import dev.holdfast.sensor.dissect.Field;
import dev.holdfast.sensor.pcap.CaptureReader;
import dev.holdfast.sensor.pcap.Captures;
import dev.holdfast.sensor.pcap.Frame;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import dev.holdfast.testing.SharedTestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The sensor's dissection of every shared capture against tshark's, field by field and frame by
 * frame: tshark runs as the oracle ({@code -T fields}, every occurrence), the per-field agreement
 * table is printed, and every field must agree on at least 99% of its values.
 */
class TsharkAgreementIT {
    /** A compared field: tshark's name, ours, and how our value is rendered for comparison. */
    record Compared(String tshark, Field ours, Function<String, String> render) {
    }

    static final List<Compared> FIELDS = List.of(
            new Compared("mbtcp.unit_id", Field.MODBUS_UNIT_ID, TsharkAgreementIT::number),
            new Compared("modbus.func_code", Field.MODBUS_FUNCTION, v -> number(Long.toString(Long.parseLong(v) & 0x7F))),
            new Compared("dnp3.al.func", Field.DNP3_FUNCTION, TsharkAgreementIT::number),
            new Compared("s7comm.header.rosctr", Field.S7_ROSCTR, TsharkAgreementIT::number),
            new Compared("s7comm.param.func", Field.S7_FUNCTION, TsharkAgreementIT::number),
            new Compared("enip.command", Field.ENIP_COMMAND, TsharkAgreementIT::number),
            new Compared("cip.sc", Field.CIP_SERVICE, TsharkAgreementIT::number),
            new Compared("bacapp.confirmed_service", Field.BACNET_CONFIRMED_SERVICE, TsharkAgreementIT::number),
            new Compared("bacapp.unconfirmed_service", Field.BACNET_UNCONFIRMED_SERVICE, TsharkAgreementIT::number),
            new Compared("dhcp.option.hostname", Field.DHCP_HOSTNAME, v -> v),
            new Compared("dns.qry.name", Field.DNS_QUERY_NAME, v -> v),
            new Compared("lldp.tlv.system.name", Field.LLDP_SYSTEM_NAME, v -> v),
            new Compared("lldp.chassis.id.mac", Field.LLDP_CHASSIS_ID, v -> v.matches("\\d+") ? Addresses.mac(Long.parseLong(v)) : null),
            new Compared("cdp.deviceid", Field.CDP_DEVICE_ID, v -> v),
            new Compared("tls.handshake.extensions_server_name", Field.TLS_SNI, v -> v),
            new Compared("tls.handshake.version", Field.TLS_HANDSHAKE_VERSION, TsharkAgreementIT::number),
            new Compared("mqtt.clientid", Field.MQTT_CLIENT_ID, v -> v),
            new Compared("tls.handshake.ja3", Field.TLS_JA3, v -> v));

    static String number(String v) {
        v = v.trim();
        if (v.startsWith("0x")) return Long.toString(Long.parseLong(v.substring(2), 16));
        return v;
    }

    static List<Path> captures() throws IOException {
        List<Path> all = new ArrayList<>();
        for (String sub : List.of("pcap/ics", "pcap/net")) {
            try (Stream<Path> s = Files.list(SharedTestData.dir(sub))) {
                s.filter(p -> p.toString().matches(".*\\.pcap(ng)?$") && p.getFileName().toString().matches(java.util.Objects.requireNonNullElse(System.getenv("SENSOR_CAPTURES"), ".*"))).sorted().forEach(all::add);
            }
        }
        return all;
    }

    /** Our values per field, frame and occurrence. */
    static RecordingListener dissect(Path capture) throws IOException {
        RecordingListener rec = new RecordingListener();
        PacketPipeline pipeline = new PacketPipeline(rec, PacketPipeline.Limits.defaults());
        try (CaptureReader reader = Captures.open(capture)) {
            Frame f = new Frame();
            while (reader.next(f)) pipeline.process(f);
        }
        pipeline.finish();
        return rec;
    }

    /** tshark's values: field -> frame -> values. */
    static Map<String, Map<Long, List<String>>> oracle(Path tshark, Path capture, List<Compared> fields, List<String> decodeAs) {
        List<String> cmd = new ArrayList<>(List.of(tshark.toString(), "-n", "-r", capture.toString(), "-T", "fields"));
        for (String d : decodeAs) cmd.addAll(List.of("-d", d));
        cmd.addAll(List.of("-d", "tcp.port==20001,dnp3", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=\u0001", "-e", "frame.number"));
        for (Compared c : fields) cmd.addAll(List.of("-e", c.tshark()));
        ProcessRun run = ProcessRun.run(null, cmd);
        run.assertSuccess("tshark on " + capture);
        Map<String, Map<Long, List<String>>> out = new HashMap<>();
        for (String line : run.stdout().split("\n")) {
            if (line.isBlank()) continue;
            String[] cols = line.split("\t", -1);
            long frame = Long.parseLong(cols[0].trim());
            for (int i = 0; i < fields.size() && i + 1 < cols.length; i++) {
                if (cols[i + 1].isEmpty()) continue;
                for (String v : cols[i + 1].split("\u0001")) {
                    out.computeIfAbsent(fields.get(i).tshark(), k -> new HashMap<>()).computeIfAbsent(frame, k -> new ArrayList<>()).add(v);
                }
            }
        }
        return out;
    }

    /** Matched and total counts per tshark field, summed over the given captures. */
    static Map<String, long[]> compare(Path tshark, List<Path> captures, List<String> disagreements) throws IOException {
        return compare(tshark, captures, disagreements, List.of());
    }

    /** {@code decodeAs}: extra tshark {@code -d} rules for servers on ports tshark does not associate with their protocol. */
    static Map<String, long[]> compare(Path tshark, List<Path> captures, List<String> disagreements, List<String> decodeAs) throws IOException {
        Map<String, long[]> table = new LinkedHashMap<>();
        for (Compared c : FIELDS) table.put(c.tshark(), new long[2]);
        for (Path capture : captures) {
            RecordingListener ours = dissect(capture);
            Map<String, Map<Long, List<String>>> theirs = oracle(tshark, capture, FIELDS, decodeAs);
            for (Compared c : FIELDS) {
                Map<Long, List<String>> t = theirs.getOrDefault(c.tshark(), Map.of());
                Map<Long, List<String>> o = ours.values.getOrDefault(c.ours(), Map.of());
                java.util.Set<Long> frames = new java.util.TreeSet<>(t.keySet());
                frames.addAll(o.keySet());
                long[] counts = table.get(c.tshark());
                for (long frame : frames) {
                    List<String> tv = new ArrayList<>();
                    for (String v : t.getOrDefault(frame, List.of())) {
                        // tshark's placeholders for names it could not decode ("<Name too long>") are not values
                        if (v.startsWith("<") && v.endsWith(">") && !v.equals("<Root>")) continue;
                        tv.add(normalizeTshark(c, v));
                    }
                    List<String> ov = new ArrayList<>();
                    for (String v : o.getOrDefault(frame, List.of())) {
                        String r = c.render().apply(v);
                        if (r != null) ov.add(r);
                    }
                    List<String> remaining = new ArrayList<>(tv);
                    long matched = 0;
                    for (String v : ov) if (remaining.remove(v)) matched++;
                    counts[0] += matched;
                    counts[1] += Math.max(tv.size(), ov.size());
                    if (matched < Math.max(tv.size(), ov.size()) && disagreements.stream().filter(d -> d.contains(" " + c.tshark() + ":")).count() < 6) {
                        disagreements.add(capture.getFileName() + " #" + frame + " " + c.tshark() + ": tshark " + tv + " sensor " + ov);
                    }
                }
            }
        }
        return table;
    }

    static String normalizeTshark(Compared c, String v) {
        return switch (c.ours()) {
            case DHCP_HOSTNAME, DNS_QUERY_NAME, LLDP_SYSTEM_NAME, CDP_DEVICE_ID, TLS_SNI, MQTT_CLIENT_ID, LLDP_CHASSIS_ID, TLS_JA3 -> v;
            default -> number(v);
        };
    }

    static String render(Map<String, long[]> table) {
        StringBuilder sb = new StringBuilder(String.format("%-40s %8s %8s %9s%n", "field", "agree", "total", "agreement"));
        for (var e : table.entrySet()) {
            long[] c = e.getValue();
            sb.append(String.format("%-40s %8d %8d %8.2f%%%n", e.getKey(), c[0], c[1], c[1] == 0 ? 100.0 : 100.0 * c[0] / c[1]));
        }
        return sb.toString();
    }

    @Test
    void sharedCaptures_agreeWithTsharkOnAtLeast99PercentOfEveryField() throws IOException {
        Path tshark = ExternalTool.require("tshark");
        List<String> disagreements = new ArrayList<>();
        Map<String, long[]> table = compare(tshark, captures(), disagreements);
        System.out.println(render(table));
        disagreements.forEach(d -> System.out.println(d.length() > 300 ? d.substring(0, 300) + "..." : d));
        long compared = 0;
        for (var e : table.entrySet()) {
            long[] c = e.getValue();
            compared += c[1];
            if (c[1] > 0) assertThat(100.0 * c[0] / c[1]).as(e.getKey() + " agreement").isGreaterThanOrEqualTo(99.0);
        }
        assertThat(compared).as("values compared").isGreaterThan(10_000);
    }
}
