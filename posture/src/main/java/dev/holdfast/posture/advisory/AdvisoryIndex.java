package dev.holdfast.posture.advisory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The advisories in memory, indexed for matching: by purl package key ({@code type/namespace/name})
 * and by CPE {@code vendor:product}. A component is matched by looking up its keys, never by scanning
 * the database. Also holds the KEV catalogue and EPSS scores by CVE. Thread-safe: lookups run while an
 * import replaces entries; each posting list is replaced, never changed in place.
 */
public final class AdvisoryIndex {
    /** One affected-package clause of one advisory. */
    public record Posting(Advisory advisory, AffectedPackage affected) {}

    private final Map<String, Advisory> byKey = new ConcurrentHashMap<>();
    private final Map<String, List<Posting>> byTarget = new ConcurrentHashMap<>();
    private final Map<String, KevEntry> kev = new ConcurrentHashMap<>();
    private final Map<String, EpssScore> epss = new ConcurrentHashMap<>();

    /** Adds or replaces (by {@link Advisory#key()}) an advisory. */
    public synchronized void put(Advisory a) {
        Advisory old = byKey.put(a.key(), a);
        if (old != null) {
            for (AffectedPackage p : old.affected()) {
                byTarget.computeIfPresent(p.target().key(), (k, list) -> {
                    List<Posting> copy = new ArrayList<>(list.size());
                    for (Posting x : list) if (x.advisory() != old) copy.add(x);
                    return copy.isEmpty() ? null : List.copyOf(copy);
                });
            }
        }
        if (a.withdrawn()) return;
        for (AffectedPackage p : a.affected()) {
            byTarget.compute(p.target().key(), (k, list) -> {
                if (list == null) return List.of(new Posting(a, p));
                List<Posting> copy = new ArrayList<>(list.size() + 1);
                copy.addAll(list);
                copy.add(new Posting(a, p));
                return List.copyOf(copy);
            });
        }
    }

    /** Advisory clauses for a purl package key or a CPE {@code vendor:product}. */
    public List<Posting> lookup(String targetKey) {
        return byTarget.getOrDefault(targetKey, List.of());
    }

    public Optional<Advisory> find(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    public void putKev(KevEntry e) {
        kev.put(e.cve(), e);
    }

    public void putEpss(EpssScore e) {
        epss.put(e.cve(), e);
    }

    /** The KEV entry of any of the advisory's ids. */
    public Optional<KevEntry> kev(Advisory a) {
        for (String id : a.ids()) {
            KevEntry e = kev.get(id);
            if (e != null) return Optional.of(e);
        }
        return Optional.empty();
    }

    public Optional<EpssScore> epss(Advisory a) {
        for (String id : a.ids()) {
            EpssScore e = epss.get(id);
            if (e != null) return Optional.of(e);
        }
        return Optional.empty();
    }

    public int advisories() {
        return byKey.size();
    }

    public int targets() {
        return byTarget.size();
    }

    public int kevEntries() {
        return kev.size();
    }

    public int epssScores() {
        return epss.size();
    }

    public long count(Advisory.Kind kind) {
        return byKey.values().stream().filter(a -> a.kind() == kind).count();
    }
}
