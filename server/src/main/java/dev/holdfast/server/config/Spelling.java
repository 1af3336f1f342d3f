package dev.holdfast.server.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** How keys are spelled as environment variables, how bad input is echoed, and near-miss suggestions. */
final class Spelling {
    static final String ENV_PREFIX = "HOLDFAST_";
    private static final int MAX_ECHO = 64;

    private Spelling() {
    }

    /**
     * The environment variable for a key: {@code HOLDFAST_} and the key's segments in upper snake case, so
     * {@code pki.crl.refreshInterval} becomes {@code HOLDFAST_PKI_CRL_REFRESH_INTERVAL}.
     */
    static String envName(String key) {
        StringBuilder out = new StringBuilder(ENV_PREFIX);
        char previous = '.';
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '.') {
                out.append('_');
            } else if (Character.isUpperCase(c) && (Character.isLowerCase(previous) || Character.isDigit(previous))) {
                out.append('_').append(c);
            } else {
                out.append(Character.toUpperCase(c));
            }
            previous = c;
        }
        return out.toString();
    }

    /**
     * Text from a file or the environment, quoted for an error message: escaped so that control characters
     * cannot forge log lines, and cut short so that a pasted certificate does not flood the console.
     */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_ECHO) + 8).append('"');
        int shown = Math.min(text.length(), MAX_ECHO);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (shown < text.length()) out.append("...");
        return out.append('"').toString();
    }

    /**
     * The candidate the operator most likely meant, if one is close: the same words in another spelling
     * ({@code bind_address} for {@code bindAddress}), the same key without its leading section, or one
     * within a few typing mistakes.
     */
    static Optional<String> suggest(String unknown, Collection<String> candidates) {
        String normalized = normalize(unknown);
        for (String candidate : candidates) {
            if (normalize(candidate).equals(normalized)) return Optional.of(candidate);
        }
        String suffixMatch = null;
        int suffixMatches = 0;
        for (String candidate : candidates) {
            if (candidate.endsWith("." + unknown)) {
                suffixMatch = candidate;
                suffixMatches++;
            }
        }
        if (suffixMatches == 1) return Optional.of(suffixMatch);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        int allowed = Math.max(2, Math.min(4, unknown.length() / 6));
        for (String candidate : candidates) {
            int distance = distance(unknown.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
    }

    private static String normalize(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '_' && c != '-') out.append(Character.toLowerCase(c));
        }
        return out.toString();
    }

    /** Levenshtein distance: insertions, deletions and substitutions each count one. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
