package dev.holdfast.posture.advisory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.posture.MalformedDocumentException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The CISA KEV catalogue (JSON) and FIRST EPSS scores (CSV). */
public final class FeedParsers {
    private FeedParsers() {
    }

    /** {@code known_exploited_vulnerabilities.json}: {@code {"catalogVersion":..., "vulnerabilities":[{"cveID":..., "dateAdded":...}]}}. */
    public static List<KevEntry> kev(JsonNode root) throws MalformedDocumentException {
        if (!root.path("vulnerabilities").isArray()) throw new MalformedDocumentException("$.vulnerabilities", "required array missing");
        List<KevEntry> out = new ArrayList<>();
        int i = 0;
        for (JsonNode v : root.get("vulnerabilities")) {
            String at = "$.vulnerabilities[" + i++ + "]";
            String cve = v.path("cveID").asText("");
            if (!cve.matches("CVE-\\d{4}-\\d{4,}")) throw new MalformedDocumentException(at + ".cveID", "'" + cve + "' is not a CVE id");
            LocalDate added = date(v.path("dateAdded").asText(""), at + ".dateAdded");
            Optional<LocalDate> due = v.path("dueDate").isTextual() ? Optional.of(date(v.get("dueDate").asText(), at + ".dueDate")) : Optional.empty();
            out.add(new KevEntry(cve, v.path("vendorProject").asText(""), v.path("product").asText(""), added, due,
                    "Known".equalsIgnoreCase(v.path("knownRansomwareCampaignUse").asText(""))));
        }
        return out;
    }

    /**
     * {@code epss_scores-YYYY-MM-DD.csv}: an optional {@code #model_version:...,score_date:...} line, the
     * header {@code cve,epss,percentile}, then one row per CVE. A bad row refuses the file with its line.
     */
    public static void epss(InputStream in, Consumer<EpssScore> sink) throws MalformedDocumentException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            String date = "";
            boolean header = false;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.length() > 4096) throw new MalformedDocumentException("line " + n, "longer than 4096 characters");
                if (line.startsWith("#")) {
                    int d = line.indexOf("score_date:");
                    if (d >= 0) date = line.substring(d + 11).trim();
                    continue;
                }
                if (line.isBlank()) continue;
                if (!header) {
                    if (!line.trim().toLowerCase(java.util.Locale.ROOT).startsWith("cve,epss,percentile")) {
                        throw new MalformedDocumentException("line " + n, "header '" + excerpt(line) + "' (expected: cve,epss,percentile)");
                    }
                    header = true;
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length < 3 || !f[0].matches("CVE-\\d{4}-\\d{4,}")) throw new MalformedDocumentException("line " + n, "'" + excerpt(line) + "' (expected: CVE id,epss,percentile)");
                try {
                    sink.accept(new EpssScore(f[0], Double.parseDouble(f[1]), Double.parseDouble(f[2]), date));
                } catch (IllegalArgumentException e) {
                    throw new MalformedDocumentException("line " + n, "'" + excerpt(line) + "': epss and percentile must be numbers in 0..1");
                }
            }
            if (!header) throw new MalformedDocumentException("line " + n, "no header line cve,epss,percentile");
        } catch (IOException e) {
            throw new MalformedDocumentException("", "EPSS CSV not readable: " + e.getMessage());
        }
    }

    private static LocalDate date(String s, String where) throws MalformedDocumentException {
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            throw new MalformedDocumentException(where, "'" + excerpt(s) + "' is not a date yyyy-mm-dd");
        }
    }

    private static String excerpt(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
