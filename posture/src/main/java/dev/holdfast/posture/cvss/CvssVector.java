package dev.holdfast.posture.cvss;

import dev.holdfast.posture.MalformedDocumentException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed CVSS vector: v3.0/v3.1 ({@code CVSS:3.1/AV:N/...}) or v4.0 ({@code CVSS:4.0/AV:N/AC:L/AT:N/...}).
 * Every base metric must appear exactly once with a value the specification allows; other metric
 * groups (temporal, threat, environmental, supplemental) are checked against their value sets and kept.
 *
 * <p>{@link #baseScore()}: v3.x is computed with the CVSS v3.1 specification's base equations
 * (§7.1, Roundup from Appendix A). v4.0 is parsed and validated but not computed here: its score
 * comes from the MacroVector lookup table and interpolation of the v4.0 specification, which Holdfast
 * does not yet implement; callers take the score the advisory states ({@link #score(Optional)}).
 */
public record CvssVector(Version version, Map<String, String> metrics) {
    public enum Version { V3_0, V3_1, V4_0 }

    public CvssVector {
        metrics = Map.copyOf(metrics);
    }

    private static final Map<String, Set<String>> V3 = new LinkedHashMap<>();
    private static final Set<String> V3_BASE = Set.of("AV", "AC", "PR", "UI", "S", "C", "I", "A");
    private static final Map<String, Set<String>> V4 = new LinkedHashMap<>();
    private static final Set<String> V4_BASE = Set.of("AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA");

    static {
        V3.put("AV", Set.of("N", "A", "L", "P"));
        V3.put("AC", Set.of("L", "H"));
        V3.put("PR", Set.of("N", "L", "H"));
        V3.put("UI", Set.of("N", "R"));
        V3.put("S", Set.of("U", "C"));
        for (String m : new String[]{"C", "I", "A"}) V3.put(m, Set.of("H", "L", "N"));
        V3.put("E", Set.of("X", "H", "F", "P", "U"));
        V3.put("RL", Set.of("X", "U", "W", "T", "O"));
        V3.put("RC", Set.of("X", "C", "R", "U"));
        for (String m : new String[]{"CR", "IR", "AR"}) V3.put(m, Set.of("X", "H", "M", "L"));
        V3.put("MAV", Set.of("X", "N", "A", "L", "P"));
        V3.put("MAC", Set.of("X", "L", "H"));
        V3.put("MPR", Set.of("X", "N", "L", "H"));
        V3.put("MUI", Set.of("X", "N", "R"));
        V3.put("MS", Set.of("X", "U", "C"));
        for (String m : new String[]{"MC", "MI", "MA"}) V3.put(m, Set.of("X", "H", "L", "N"));

        V4.put("AV", Set.of("N", "A", "L", "P"));
        V4.put("AC", Set.of("L", "H"));
        V4.put("AT", Set.of("N", "P"));
        V4.put("PR", Set.of("N", "L", "H"));
        V4.put("UI", Set.of("N", "P", "A"));
        for (String m : new String[]{"VC", "VI", "VA", "SC", "SI", "SA"}) V4.put(m, Set.of("H", "L", "N"));
        V4.put("E", Set.of("X", "A", "P", "U"));
        for (String m : new String[]{"CR", "IR", "AR"}) V4.put(m, Set.of("X", "H", "M", "L"));
        V4.put("MAV", Set.of("X", "N", "A", "L", "P"));
        V4.put("MAC", Set.of("X", "L", "H"));
        V4.put("MAT", Set.of("X", "N", "P"));
        V4.put("MPR", Set.of("X", "N", "L", "H"));
        V4.put("MUI", Set.of("X", "N", "P", "A"));
        for (String m : new String[]{"MVC", "MVI", "MVA", "MSC"}) V4.put(m, Set.of("X", "H", "L", "N"));
        for (String m : new String[]{"MSI", "MSA"}) V4.put(m, Set.of("X", "S", "H", "L", "N"));
        V4.put("S", Set.of("X", "N", "P"));
        V4.put("AU", Set.of("X", "N", "Y"));
        V4.put("R", Set.of("X", "A", "U", "I"));
        V4.put("V", Set.of("X", "D", "C"));
        V4.put("RE", Set.of("X", "L", "M", "H"));
        V4.put("U", Set.of("X", "Clear", "Green", "Amber", "Red"));
    }

    public static CvssVector parse(String vector) throws MalformedDocumentException {
        if (vector == null || vector.length() > 512) throw new MalformedDocumentException("vector", "missing or longer than 512 characters");
        Version version;
        Map<String, Set<String>> allowed;
        Set<String> base;
        if (vector.startsWith("CVSS:3.1/")) { version = Version.V3_1; allowed = V3; base = V3_BASE; }
        else if (vector.startsWith("CVSS:3.0/")) { version = Version.V3_0; allowed = V3; base = V3_BASE; }
        else if (vector.startsWith("CVSS:4.0/")) { version = Version.V4_0; allowed = V4; base = V4_BASE; }
        else throw new MalformedDocumentException("prefix", "'" + excerpt(vector) + "' does not start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/");
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : vector.substring(9).split("/", -1)) {
            int colon = part.indexOf(':');
            if (colon <= 0 || colon == part.length() - 1) throw new MalformedDocumentException(excerpt(part), "not METRIC:VALUE");
            String k = part.substring(0, colon), v = part.substring(colon + 1);
            Set<String> values = allowed.get(k);
            if (values == null) throw new MalformedDocumentException(excerpt(k), "unknown metric for " + version);
            if (!values.contains(v)) throw new MalformedDocumentException(k, "'" + excerpt(v) + "' is not one of " + values);
            if (m.put(k, v) != null) throw new MalformedDocumentException(k, "metric appears twice");
        }
        for (String b : base) if (!m.containsKey(b)) throw new MalformedDocumentException(b, "mandatory base metric missing");
        return new CvssVector(version, m);
    }

    /** The base score from the v3.1 equations; empty for v4.0 (see the class comment). */
    public Optional<Double> baseScore() {
        if (version == Version.V4_0) return Optional.empty();
        boolean changed = metrics.get("S").equals("C");
        double iss = 1 - (1 - cia(metrics.get("C"))) * (1 - cia(metrics.get("I"))) * (1 - cia(metrics.get("A")));
        double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
        double av = switch (metrics.get("AV")) { case "N" -> 0.85; case "A" -> 0.62; case "L" -> 0.55; default -> 0.2; };
        double ac = metrics.get("AC").equals("L") ? 0.77 : 0.44;
        double pr = switch (metrics.get("PR")) { case "N" -> 0.85; case "L" -> changed ? 0.68 : 0.62; default -> changed ? 0.5 : 0.27; };
        double ui = metrics.get("UI").equals("N") ? 0.85 : 0.62;
        double exploitability = 8.22 * av * ac * pr * ui;
        if (impact <= 0) return Optional.of(0.0);
        return Optional.of(changed ? roundup(Math.min(1.08 * (impact + exploitability), 10)) : roundup(Math.min(impact + exploitability, 10)));
    }

    /** The computed base score, else {@code stated} (the advisory's own figure). */
    public Optional<Double> score(Optional<Double> stated) {
        return baseScore().or(() -> stated);
    }

    private static double cia(String v) {
        return switch (v) { case "H" -> 0.56; case "L" -> 0.22; default -> 0; };
    }

    /** CVSS v3.1 Appendix A: the smallest number, to one decimal place, equal to or higher than its input. */
    static double roundup(double input) {
        long intInput = Math.round(input * 100000);
        if (intInput % 10000 == 0) return intInput / 100000.0;
        return (Math.floor(intInput / 10000.0) + 1) / 10.0;
    }

    /** The qualitative rating (CVSS v3.1 §5, v4.0 §6): none, low, medium, high, critical. */
    public static String rating(double score) {
        if (score == 0) return "none";
        if (score < 4) return "low";
        if (score < 7) return "medium";
        if (score < 9) return "high";
        return "critical";
    }

    private static String excerpt(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
