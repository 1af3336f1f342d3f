package dev.holdfast.posture.advisory;

import dev.holdfast.posture.version.VersionScheme;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** A range of affected versions, in one of the forms the feeds use. */
public sealed interface VersionRange permits VersionRange.Events, VersionRange.CpeBounds {

    /** Whether {@code version} is in the range, ordered by {@code scheme}; empty when the range cannot say (GIT). */
    Optional<Boolean> contains(String version, VersionScheme scheme);

    /** The first version past the range above {@code version}, if the range names one: what to upgrade to. */
    Optional<String> fixedAfter(String version, VersionScheme scheme);

    /**
     * OSV's {@code ranges[]}: events {@code introduced}, {@code fixed}, {@code last_affected}, {@code limit},
     * evaluated as the OSV schema's "evaluation" section describes: sorted by version, a version is
     * affected after an {@code introduced} at or below it until a {@code fixed} at or below it or a
     * {@code last_affected} below it. {@code introduced: "0"} is below every version.
     */
    record Events(Kind kind, List<Event> events) implements VersionRange {
        public Events {
            if (kind == null) throw new IllegalArgumentException("Events: kind required");
            events = List.copyOf(events);
        }

        public enum Kind { SEMVER, ECOSYSTEM, GIT }

        public Optional<Boolean> contains(String v, VersionScheme scheme) {
            if (kind == Kind.GIT) return Optional.empty();
            VersionScheme s = kind == Kind.SEMVER ? VersionScheme.SEMVER : scheme;
            List<Event> sorted = new ArrayList<>(events);
            sorted.removeIf(e -> e.type() == Event.Type.LIMIT);
            sorted.sort(Comparator.comparing(Event::version, (a, b) -> a.equals("0") ? (b.equals("0") ? 0 : -1) : b.equals("0") ? 1 : s.compare(a, b)));
            boolean affected = false;
            for (Event e : sorted) {
                switch (e.type()) {
                    case INTRODUCED -> { if (e.version().equals("0") || s.compare(v, e.version()) >= 0) affected = true; }
                    case FIXED -> { if (s.compare(v, e.version()) >= 0) affected = false; }
                    case LAST_AFFECTED -> { if (s.compare(v, e.version()) > 0) affected = false; }
                    case LIMIT -> { }
                }
            }
            return Optional.of(affected);
        }

        public Optional<String> fixedAfter(String v, VersionScheme scheme) {
            VersionScheme s = kind == Kind.SEMVER ? VersionScheme.SEMVER : scheme;
            return events.stream().filter(e -> e.type() == Event.Type.FIXED && kind != Kind.GIT && s.compare(e.version(), v) > 0)
                    .map(Event::version).min(s);
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(kind.name()).append(" ");
            for (int i = 0; i < events.size(); i++) {
                if (i > 0) b.append(", ");
                b.append(events.get(i).type().wireName()).append(' ').append(events.get(i).version());
            }
            return b.toString();
        }
    }

    record Event(Type type, String version) {
        public Event {
            if (type == null || version == null || version.isEmpty()) throw new IllegalArgumentException("Event: type and version required");
        }

        public enum Type {
            INTRODUCED, FIXED, LAST_AFFECTED, LIMIT;

            public String wireName() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }

    /**
     * NVD's {@code cpeMatch} version bounds: {@code versionStartIncluding} &le; v, {@code versionStartExcluding}
     * &lt; v, v &le; {@code versionEndIncluding}, v &lt; {@code versionEndExcluding}. No bound at all means
     * "every version" (NVD writes {@code *} in the criterion).
     */
    record CpeBounds(Optional<String> startIncluding, Optional<String> startExcluding, Optional<String> endIncluding,
                     Optional<String> endExcluding) implements VersionRange {
        public CpeBounds {
            startIncluding = startIncluding == null ? Optional.empty() : startIncluding;
            startExcluding = startExcluding == null ? Optional.empty() : startExcluding;
            endIncluding = endIncluding == null ? Optional.empty() : endIncluding;
            endExcluding = endExcluding == null ? Optional.empty() : endExcluding;
        }

        public Optional<Boolean> contains(String v, VersionScheme s) {
            if (startIncluding.isPresent() && s.compare(v, startIncluding.get()) < 0) return Optional.of(false);
            if (startExcluding.isPresent() && s.compare(v, startExcluding.get()) <= 0) return Optional.of(false);
            if (endIncluding.isPresent() && s.compare(v, endIncluding.get()) > 0) return Optional.of(false);
            if (endExcluding.isPresent() && s.compare(v, endExcluding.get()) >= 0) return Optional.of(false);
            return Optional.of(true);
        }

        public Optional<String> fixedAfter(String v, VersionScheme s) {
            return endExcluding;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("CPE");
            startIncluding.ifPresent(x -> b.append(" >= ").append(x));
            startExcluding.ifPresent(x -> b.append(" > ").append(x));
            endIncluding.ifPresent(x -> b.append(" <= ").append(x));
            endExcluding.ifPresent(x -> b.append(" < ").append(x));
            if (b.length() == 3) b.append(" any version");
            return b.toString();
        }
    }
}
