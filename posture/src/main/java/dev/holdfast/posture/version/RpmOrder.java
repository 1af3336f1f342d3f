package dev.holdfast.posture.version;

/**
 * RPM's {@code rpmvercmp} ({@code rpmio/rpmvercmp.c}) over {@code [epoch:]version[-release]}: segments of
 * letters or digits, separators ignored; a digit segment is newer than a letter segment; {@code ~}
 * sorts before anything (pre-releases), {@code ^} after the end but before anything else (snapshots).
 */
final class RpmOrder {
    private RpmOrder() {
    }

    static int compare(String a, String b) {
        String[] x = split(a.trim()), y = split(b.trim());
        int c = GenericOrder.compareNumeric(x[0], y[0]);
        if (c != 0) return c;
        c = rpmvercmp(x[1], y[1]);
        if (c != 0 || x[2].isEmpty() || y[2].isEmpty()) return c;
        return rpmvercmp(x[2], y[2]);
    }

    private static String[] split(String v) {
        String epoch = "0";
        int colon = v.indexOf(':');
        if (colon > 0 && SemverOrder.numeric(v.substring(0, colon))) {
            epoch = v.substring(0, colon);
            v = v.substring(colon + 1);
        }
        int dash = v.lastIndexOf('-');
        return dash >= 0 ? new String[]{epoch, v.substring(0, dash), v.substring(dash + 1)} : new String[]{epoch, v, ""};
    }

    private static boolean alnum(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static int rpmvercmp(String a, String b) {
        if (a.equals(b)) return 0;
        int i = 0, j = 0;
        while (i < a.length() || j < b.length()) {
            while (i < a.length() && !alnum(a.charAt(i)) && a.charAt(i) != '~' && a.charAt(i) != '^') i++;
            while (j < b.length() && !alnum(b.charAt(j)) && b.charAt(j) != '~' && b.charAt(j) != '^') j++;
            boolean ta = i < a.length() && a.charAt(i) == '~', tb = j < b.length() && b.charAt(j) == '~';
            if (ta || tb) {
                if (!ta) return 1;
                if (!tb) return -1;
                i++;
                j++;
                continue;
            }
            boolean ca = i < a.length() && a.charAt(i) == '^', cb = j < b.length() && b.charAt(j) == '^';
            if (ca || cb) {
                if (i >= a.length()) return -1;
                if (j >= b.length()) return 1;
                if (!ca) return 1;
                if (!cb) return -1;
                i++;
                j++;
                continue;
            }
            if (i >= a.length() || j >= b.length()) break;
            boolean num = Character.isDigit(a.charAt(i));
            int si = i, sj = j;
            if (num) {
                while (i < a.length() && Character.isDigit(a.charAt(i))) i++;
                while (j < b.length() && Character.isDigit(b.charAt(j))) j++;
            } else {
                while (i < a.length() && Character.isLetter(a.charAt(i))) i++;
                while (j < b.length() && Character.isLetter(b.charAt(j))) j++;
            }
            if (sj == j) return num ? 1 : -1; // segments of different kinds: the numeric one is newer
            String sa = a.substring(si, i), sb = b.substring(sj, j);
            int c = num ? GenericOrder.compareNumeric(sa, sb) : sa.compareTo(sb);
            if (c != 0) return c;
        }
        if (i >= a.length() && j >= b.length()) return 0;
        return i >= a.length() ? -1 : 1;
    }
}
