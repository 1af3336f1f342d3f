package dev.holdfast.posture;

import dev.holdfast.posture.advisory.Advisory;
import dev.holdfast.posture.advisory.AdvisoryIndex;
import dev.holdfast.posture.cvss.CvssVector;
import dev.holdfast.posture.match.Finding;
import dev.holdfast.registry.JsonDocument;

import java.util.Optional;

/**
 * How posture turns findings into a risk score (0..100), so an operator can recompute it by hand:
 * <ul>
 *   <li>a vulnerability finding scores {@code 10 × CVSS base × exploitation}, where exploitation is 1.0 when
 *       the CVE is in CISA KEV, else {@code 0.7 + 0.3 × EPSS}; an advisory without a usable score counts as CVSS 5.0;</li>
 *   <li>a failed check scores its severity's weight (low 15, medium 40, high 70, critical 90);</li>
 *   <li>the device's raw risk is its worst item plus 2 for every other item scoring 40 or more, capped at 100;</li>
 *   <li>then multiplied by exposure ({@code tags.exposure}: internet 1.0, internal 0.8, isolated 0.5) and
 *       criticality ({@code tags.criticality}: high 1.0, medium 0.85, low 0.7); a device without these tags is
 *       taken as internet-exposed and highly critical (no credit is given for what is not stated).</li>
 * </ul>
 */
public final class RiskModel {
    /** The score used for an advisory with no parseable CVSS. */
    public static final double UNSCORED_CVSS = 5.0;

    private RiskModel() {
    }

    /** The CVSS base score of an advisory: the highest computed (v3.x) or stated (v4.0, v2) score it carries. */
    public static Optional<Double> cvss(Advisory a) {
        Optional<Double> best = Optional.empty();
        for (Advisory.Score s : a.scores()) {
            Optional<Double> v;
            try {
                v = CvssVector.parse(s.vector()).score(s.statedScore());
            } catch (MalformedDocumentException e) {
                v = s.statedScore();
            }
            if (v.isPresent() && (best.isEmpty() || v.get() > best.get())) best = v;
        }
        return best;
    }

    public static double findingRisk(Finding f, AdvisoryIndex index) {
        double cvss = f.cvss().orElse(UNSCORED_CVSS);
        double exploitation = index.kev(f.advisory()).isPresent() ? 1.0 : 0.7 + 0.3 * index.epss(f.advisory()).map(e -> e.epss()).orElse(0.0);
        return Math.min(100, 10 * cvss * exploitation);
    }

    public static double combine(double[] items) {
        double worst = 0;
        int significant = 0;
        for (double v : items) {
            worst = Math.max(worst, v);
            if (v >= 40) significant++;
        }
        if (worst >= 40) significant--;
        return Math.min(100, worst + 2.0 * Math.max(0, significant));
    }

    public static double exposure(JsonDocument tags) {
        var e = tags.get("exposure");
        String v = e == null ? "" : e.asText("");
        return switch (v) {
            case "internal" -> 0.8;
            case "isolated" -> 0.5;
            default -> 1.0;
        };
    }

    public static double criticality(JsonDocument tags) {
        var e = tags.get("criticality");
        String v = e == null ? "" : e.asText("");
        return switch (v) {
            case "medium" -> 0.85;
            case "low" -> 0.7;
            default -> 1.0;
        };
    }

    /** Rounded to one decimal, as stored. */
    public static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
