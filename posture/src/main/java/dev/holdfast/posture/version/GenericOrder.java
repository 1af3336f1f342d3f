package dev.holdfast.posture.version;

import java.util.ArrayList;
import java.util.List;

/** Runs of digits compared as numbers, runs of letters as text (a number outranks text), separators ignored. */
final class GenericOrder {
    private GenericOrder() {
    }

    static int compare(String a, String b) {
        List<String> x = tokens(a), y = tokens(b);
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
            String p = x.get(i), q = y.get(i);
            boolean np = Character.isDigit(p.charAt(0)), nq = Character.isDigit(q.charAt(0));
            int c = np && nq ? compareNumeric(p, q) : np ? 1 : nq ? -1 : p.compareToIgnoreCase(q);
            if (c != 0) return c;
        }
        return Integer.compare(x.size(), y.size());
    }

    static List<String> tokens(String v) {
        List<String> out = new ArrayList<>();
        int i = 0, n = v.length();
        while (i < n) {
            char c = v.charAt(i);
            if (!Character.isLetterOrDigit(c)) { i++; continue; }
            int j = i;
            boolean digit = Character.isDigit(c);
            while (j < n && Character.isLetterOrDigit(v.charAt(j)) && Character.isDigit(v.charAt(j)) == digit) j++;
            out.add(v.substring(i, j));
            i = j;
        }
        return out;
    }

    /** Compares two digit strings of any length as numbers. */
    static int compareNumeric(String a, String b) {
        a = stripZeros(a);
        b = stripZeros(b);
        if (!SemverOrder.numeric(a) || !SemverOrder.numeric(b)) return a.compareTo(b);
        if (a.length() != b.length()) return Integer.compare(a.length(), b.length());
        return a.compareTo(b);
    }

    static String stripZeros(String s) {
        int i = 0;
        while (i < s.length() - 1 && s.charAt(i) == '0') i++;
        return s.substring(i);
    }
}
