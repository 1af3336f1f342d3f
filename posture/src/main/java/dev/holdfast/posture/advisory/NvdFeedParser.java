package dev.holdfast.posture.advisory;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.posture.MalformedDocumentException;
import dev.holdfast.posture.version.VersionScheme;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * NVD CVE API / feed JSON 2.0 ({@code {"format":"NVD_CVE","version":"2.0","vulnerabilities":[{"cve":{...}}]}}),
 * streamed one CVE at a time so a yearly feed never sits in memory whole. Each vulnerable
 * {@code cpeMatch} of every configuration node becomes a CPE target with its version bounds. Nodes
 * joined by {@code AND} (an application "running on" a platform) are read as if each vulnerable match
 * stood alone: this over-reports rather than misses, and the finding says which criterion matched.
 */
public final class NvdFeedParser {
    private NvdFeedParser() {
    }

    public interface Sink {
        /** @param document the CVE object as compact JSON, which is what the database stores */
        void accept(Advisory advisory, String document);

        /** A CVE that could not be read; the feed goes on. */
        void refused(String where, MalformedDocumentException e);
    }

    public static void parse(InputStream in, Sink sink) throws MalformedDocumentException {
        try (JsonParser p = OsvParser.JSON.getFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new MalformedDocumentException("$", "not a JSON object (expected: an NVD CVE 2.0 feed)");
            boolean sawFormat = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("format")) {
                    if (!"NVD_CVE".equals(p.getValueAsString())) throw new MalformedDocumentException("$.format", "'" + p.getValueAsString() + "' (expected: NVD_CVE)");
                    sawFormat = true;
                } else if (field.equals("vulnerabilities") && t == JsonToken.START_ARRAY) {
                    int i = 0;
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        JsonNode item = OsvParser.JSON.readTree(p);
                        String where = "$.vulnerabilities[" + i++ + "]";
                        try {
                            sink.accept(cve(item.path("cve"), where + ".cve"), OsvParser.JSON.writeValueAsString(item.path("cve")));
                        } catch (MalformedDocumentException e) {
                            sink.refused(where, e);
                        } catch (RuntimeException e) {
                            sink.refused(where, new MalformedDocumentException(where, "could not be read: " + e));
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (!sawFormat) throw new MalformedDocumentException("$.format", "missing (expected: NVD_CVE)");
        } catch (IOException e) {
            var loc = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getLocation() : null;
            throw new MalformedDocumentException(loc == null ? "" : "line " + loc.getLineNr() + ", column " + loc.getColumnNr(), "NVD feed not readable: " + e.getMessage());
        }
    }

    static Advisory cve(JsonNode cve, String at) throws MalformedDocumentException {
        if (!cve.isObject()) throw new MalformedDocumentException(at, "missing 'cve' object");
        String id = cve.path("id").asText("");
        if (!id.matches("CVE-\\d{4}-\\d{4,}")) throw new MalformedDocumentException(at + ".id", "'" + id + "' is not a CVE id");
        String lastModified = cve.path("lastModified").asText("");
        if (lastModified.isEmpty()) throw new MalformedDocumentException(at + ".lastModified", "required");
        var modified = OsvParser.time(lastModified, at + ".lastModified");
        Optional<java.time.Instant> published = cve.hasNonNull("published") ? Optional.of(OsvParser.time(cve.get("published").asText(), at + ".published")) : Optional.empty();
        String summary = "";
        for (JsonNode d : cve.path("descriptions")) if ("en".equals(d.path("lang").asText())) summary = d.path("value").asText("");
        if (summary.length() > 512) summary = summary.substring(0, 512);
        List<Advisory.Score> scores = new ArrayList<>();
        JsonNode metrics = cve.path("metrics");
        for (String[] m : new String[][]{{"cvssMetricV40", "CVSS_V4"}, {"cvssMetricV31", "CVSS_V3"}, {"cvssMetricV30", "CVSS_V3"}, {"cvssMetricV2", "CVSS_V2"}}) {
            for (JsonNode metric : metrics.path(m[0])) {
                JsonNode data = metric.path("cvssData");
                if (!data.path("vectorString").isTextual()) continue;
                Optional<Double> base = data.path("baseScore").isNumber() ? Optional.of(data.get("baseScore").asDouble()) : Optional.empty();
                scores.add(new Advisory.Score(m[1], data.get("vectorString").asText(), base));
            }
        }
        List<AffectedPackage> affected = new ArrayList<>();
        int c = 0;
        for (JsonNode conf : cve.path("configurations")) {
            int n = 0;
            for (JsonNode node : conf.path("nodes")) {
                if (node.path("negate").asBoolean(false)) continue;
                int k = 0;
                for (JsonNode match : node.path("cpeMatch")) {
                    String where = at + ".configurations[" + c + "].nodes[" + n + "].cpeMatch[" + k++ + "]";
                    if (!match.path("vulnerable").asBoolean(false)) continue;
                    String criteria = match.path("criteria").asText("");
                    String[] parts = Cpe.split(criteria);
                    if (parts == null) throw new MalformedDocumentException(where + ".criteria", "'" + criteria + "' is not a CPE 2.3 formatted string");
                    String version = parts[5];
                    Optional<String> exact = version.equals("*") || version.equals("-") ? Optional.empty() : Optional.of(Cpe.unescape(version));
                    VersionRange bounds = new VersionRange.CpeBounds(text(match, "versionStartIncluding"), text(match, "versionStartExcluding"),
                            text(match, "versionEndIncluding"), text(match, "versionEndExcluding"));
                    affected.add(new AffectedPackage(new AffectedPackage.CpeTarget(Cpe.unescape(parts[3]).toLowerCase(java.util.Locale.ROOT),
                            Cpe.unescape(parts[4]).toLowerCase(java.util.Locale.ROOT), criteria, exact), VersionScheme.GENERIC, List.of(bounds), List.of()));
                }
                n++;
            }
            c++;
        }
        boolean rejected = "Rejected".equals(cve.path("vulnStatus").asText());
        return new Advisory(Advisory.Kind.NVD, id, List.of(), summary, modified, published, rejected, affected, scores);
    }

    private static Optional<String> text(JsonNode n, String f) {
        return n.path(f).isTextual() && !n.get(f).asText().isEmpty() ? Optional.of(n.get(f).asText()) : Optional.empty();
    }
}
