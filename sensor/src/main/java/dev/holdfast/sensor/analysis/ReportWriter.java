package dev.holdfast.sensor.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Report} as {@code report.json}, a self-contained, readable {@code report.html}
 * (no scripts, no external assets), and {@code alerts.ocsf.jsonl}: one OCSF Detection Finding
 * ({@link dev.holdfast.events.SecurityEvent}) per alert, one per line, for a SIEM or the event log.
 */
public final class ReportWriter {
    private ReportWriter() {
    }

    public static void write(Report report, Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper().findAndRegisterModules().enable(SerializationFeature.INDENT_OUTPUT)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        json.writeValue(dir.resolve("report.json").toFile(), report);
        Files.writeString(dir.resolve("report.html"), html(report), StandardCharsets.UTF_8);
        StringBuilder lines = new StringBuilder();
        ObjectMapper compact = new ObjectMapper().findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        for (Alert a : report.alerts()) lines.append(compact.writeValueAsString(a.toSecurityEvent())).append('\n');
        Files.writeString(dir.resolve("alerts.ocsf.jsonl"), lines, StandardCharsets.UTF_8);
    }

    static String html(Report r) {
        StringBuilder h = new StringBuilder(65_536);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Holdfast sensor report</title><style>")
                .append("body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0;width:100%}")
                .append("th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f0f0f0}")
                .append(".HIGH,.CRITICAL{background:#fdd}.MEDIUM{background:#ffe9c4}.LOW{background:#eef}</style></head><body>")
                .append("<h1>Holdfast sensor report</h1>");
        h.append("<p>").append(r.assets().size()).append(" assets, ").append(r.conversations().size()).append(" conversations, ")
                .append(r.alerts().size()).append(" alerts. Vendors from ").append(esc(r.ouiSource())).append(".</p>");
        h.append("<h2>Alerts</h2><table><tr><th>severity</th><th>kind</th><th>source</th><th>destination</th><th>what was seen</th><th>baseline broken</th><th>packets</th></tr>");
        for (Alert a : r.alerts()) {
            h.append("<tr class=\"").append(a.severity().name()).append("\"><td>").append(a.severity()).append("</td><td>").append(a.kind())
                    .append("</td><td>").append(esc(a.source())).append("</td><td>").append(esc(a.destination())).append("</td><td>")
                    .append(esc(a.observed())).append("</td><td>").append(esc(a.baseline())).append("</td><td>")
                    .append(esc(a.capture())).append(" frames ").append(a.frames()).append("<br>").append(esc(String.valueOf(a.packetTimes()))).append("</td></tr>");
        }
        h.append("</table><h2>Assets</h2><table><tr><th>MAC</th><th>vendor</th><th>IPs</th><th>names</th><th>role</th><th>serves</th><th>uses</th><th>software</th><th>DHCP</th><th>first / last seen</th><th>packets</th></tr>");
        for (Report.AssetView a : r.assets()) {
            h.append("<tr><td>").append(esc(a.mac())).append("</td><td>").append(esc(a.vendor())).append("</td><td>").append(list(a.ips()))
                    .append("</td><td>").append(list(a.names())).append("</td><td>").append(esc(a.role())).append("</td><td>")
                    .append(list(a.protocolsServed())).append("</td><td>").append(list(a.protocolsUsed())).append("</td><td>")
                    .append(list(a.software())).append("</td><td>").append(esc(a.dhcpVendorClass())).append(a.dhcpFingerprint() != null ? "<br>" + esc(a.dhcpFingerprint()) : "")
                    .append("</td><td>").append(esc(a.firstSeen())).append("<br>").append(esc(a.lastSeen())).append("</td><td>").append(a.packets()).append("</td></tr>");
        }
        h.append("</table><h2>Communication map</h2><table><tr><th>client</th><th>server</th><th>transport/port</th><th>application</th><th>flows</th><th>packets c→s / s→c</th><th>bytes c→s / s→c</th><th>first / last</th></tr>");
        int shown = 0;
        for (Report.Conversation c : r.conversations()) {
            if (shown++ >= 2000) break;
            h.append("<tr><td>").append(esc(c.client())).append("</td><td>").append(esc(c.server())).append("</td><td>").append(c.transport())
                    .append('/').append(c.serverPort()).append("</td><td>").append(c.application()).append("</td><td>").append(c.flows())
                    .append("</td><td>").append(c.packetsToServer()).append(" / ").append(c.packetsToClient()).append("</td><td>")
                    .append(c.bytesToServer()).append(" / ").append(c.bytesToClient()).append("</td><td>").append(esc(c.firstSeen()))
                    .append("<br>").append(esc(c.lastSeen())).append("</td></tr>");
        }
        h.append("</table><h2>Counters</h2><table>");
        for (Map.Entry<String, Long> e : r.counters().entrySet()) h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(e.getValue()).append("</td></tr>");
        return h.append("</table></body></html>\n").toString();
    }

    private static String list(List<String> values) {
        StringBuilder sb = new StringBuilder();
        for (String v : values) sb.append(sb.isEmpty() ? "" : "<br>").append(esc(v));
        return sb.toString();
    }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
