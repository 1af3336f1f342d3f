package dev.holdfast.posture.advisory;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One advisory as Holdfast matches it, whichever feed it came from.
 *
 * @param kind      the feed format it was read from; with {@code id} it is the advisory's identity
 * @param id        the feed's id ({@code GHSA-...}, {@code OSV-2024-640}, {@code CVE-2021-44228})
 * @param aliases   other ids of the same flaw (OSV {@code aliases}); a VEX statement on any of them applies
 * @param modified  when the feed last changed it; an import never replaces it with an older one
 * @param withdrawn withdrawn advisories are kept but match nothing
 * @param scores    severity vectors as the feed gives them
 */
public record Advisory(Kind kind, String id, List<String> aliases, String summary, Instant modified, Optional<Instant> published,
                       boolean withdrawn, List<AffectedPackage> affected, List<Score> scores) {
    public Advisory {
        if (kind == null || id == null || id.isEmpty() || modified == null) throw new IllegalArgumentException("Advisory: kind, id and modified are required");
        aliases = List.copyOf(aliases);
        summary = summary == null ? "" : summary;
        published = published == null ? Optional.empty() : published;
        affected = List.copyOf(affected);
        scores = List.copyOf(scores);
    }

    public enum Kind {
        OSV, NVD;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The key of the advisory in the database: {@code osv:GHSA-...} or {@code nvd:CVE-...}. */
    public String key() {
        return kind.wireName() + ":" + id;
    }

    /** This id and every alias: what VEX statements, KEV and EPSS entries are looked up by. */
    public List<String> ids() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(id), aliases.stream()).toList();
    }

    /**
     * A severity as the feed states it.
     *
     * @param type        {@code CVSS_V3} or {@code CVSS_V4} (OSV's names), or {@code CVSS_V2}
     * @param vector      the vector string ({@code CVSS:3.1/AV:N/...})
     * @param statedScore the base score the feed gives beside the vector (NVD does), if any
     */
    public record Score(String type, String vector, Optional<Double> statedScore) {
        public Score {
            if (type == null || vector == null) throw new IllegalArgumentException("Score: type and vector are required");
            statedScore = statedScore == null ? Optional.empty() : statedScore;
        }
    }
}
