package dev.holdfast.posture.version;

/**
 * dpkg's comparison (Debian Policy 5.6.12, {@code lib/dpkg/version.c}): epoch numerically, then the
 * upstream version and the revision with {@code verrevcmp}: alternate non-digit and digit parts; in a
 * non-digit part {@code ~} sorts before everything, even the end, letters before other characters.
 */
final class DpkgOrder {
    private DpkgOrder() {
    }

    static int compare(String a, String b) {
        String[] x = split(a.trim()), y = split(b.trim());
        int c = GenericOrder.compareNumeric(x[0], y[0]);
        if (c != 0) return c;
        c = verrevcmp(x[1], y[1]);
        return c != 0 ? c : verrevcmp(x[2], y[2]);
    }

    /** [epoch, upstream, revision]. */
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

    private static int order(char c) {
        if (Character.isDigit(c)) return 0;
        if (Character.isLetter(c)) return c;
        if (c == '~') return -1;
        return c + 256;
    }

    static int verrevcmp(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() || j < b.length()) {
            int firstDiff = 0;
            while ((i < a.length() && !Character.isDigit(a.charAt(i))) || (j < b.length() && !Character.isDigit(b.charAt(j)))) {
                int ac = i < a.length() ? order(a.charAt(i)) : 0;
                int bc = j < b.length() ? order(b.charAt(j)) : 0;
                if (ac != bc) return ac - bc;
                i++;
                j++;
            }
            while (i < a.length() && a.charAt(i) == '0') i++;
            while (j < b.length() && b.charAt(j) == '0') j++;
            while (i < a.length() && Character.isDigit(a.charAt(i)) && j < b.length() && Character.isDigit(b.charAt(j))) {
                if (firstDiff == 0) firstDiff = a.charAt(i) - b.charAt(j);
                i++;
                j++;
            }
            if (i < a.length() && Character.isDigit(a.charAt(i))) return 1;
            if (j < b.length() && Character.isDigit(b.charAt(j))) return -1;
            if (firstDiff != 0) return firstDiff;
        }
        return 0;
    }
}
