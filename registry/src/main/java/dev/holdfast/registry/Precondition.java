package dev.holdfast.registry;

import java.util.ArrayList;
import java.util.List;

/**
 * The condition a write is made under: optimistic concurrency as HTTP does it with {@code If-Match}
 * (RFC 9110 §13.1.1). A write whose condition does not hold is refused with
 * {@link RegistryRefusal.PreconditionFailed} carrying the current tag; nothing is stored.
 */
public sealed interface Precondition {
    /** No condition: the write applies to whatever version is current (last writer wins). */
    record None() implements Precondition {
    }

    /** {@code If-Match: *}: the resource must exist (it always does once found). */
    record AnyVersion() implements Precondition {
    }

    /** The current tag must be one of these (strong comparison: a weak tag never matches). */
    record Matching(List<Etag> tags) implements Precondition {
        public Matching {
            tags = List.copyOf(tags);
        }
    }

    static Precondition none() {
        return new None();
    }

    static Precondition ifMatch(Etag tag) {
        return new Matching(List.of(tag));
    }

    /** True when a resource whose current tag is {@code current} satisfies this condition. */
    default boolean holdsFor(Etag current) {
        return switch (this) {
            case None n -> true;
            case AnyVersion a -> true;
            case Matching m -> m.tags().contains(current);
        };
    }

    /**
     * Parses an {@code If-Match} header value: absent or blank is {@link None}; {@code *};
     * or a comma-separated list of entity tags ({@code "tags-3", W/"x"}). Weak tags are kept out, as
     * they never match under strong comparison. A value that is not this syntax is refused.
     */
    static Precondition parseIfMatch(String header) {
        if (header == null || header.isBlank()) return new None();
        String h = header.strip();
        if (h.equals("*")) return new AnyVersion();
        List<Etag> tags = new ArrayList<>();
        int i = 0;
        boolean any = false;
        while (i < h.length()) {
            char c = h.charAt(i);
            if (c == ' ' || c == '\t' || c == ',') {
                i++;
                continue;
            }
            boolean weak = false;
            if (h.startsWith("W/", i)) {
                weak = true;
                i += 2;
            }
            if (i >= h.length() || h.charAt(i) != '"') throw malformed(header);
            int end = h.indexOf('"', i + 1);
            if (end < 0 || end == i + 1) throw malformed(header);
            String tag = h.substring(i + 1, end);
            try {
                Etag e = new Etag(tag);
                if (!weak) tags.add(e);
            } catch (IllegalArgumentException ex) {
                throw malformed(header);
            }
            any = true;
            i = end + 1;
        }
        if (!any) throw malformed(header);
        return new Matching(tags);
    }

    private static RegistryRefusedException malformed(String header) {
        return RegistryRefusal.invalid("invalid-if-match", "If-Match: '" + RegistryLimits.excerpt(header)
                + "' (expected: * or quoted entity tags such as \"tags-3\")").exception();
    }
}
