package dev.holdfast.posture.version;

/** SemVer 2.0.0 §11: major, minor, patch numerically; a pre-release is lower; identifiers compared one by one. */
final class SemverOrder {
    private SemverOrder() {
    }

    static int compare(String a, String b) {
        String[] x = split(a), y = split(b);
        String[] cx = x[0].split("\\.", -1), cy = y[0].split("\\.", -1);
        for (int i = 0; i < Math.max(3, Math.max(cx.length, cy.length)); i++) {
            int c = GenericOrder.compareNumeric(i < cx.length ? cx[i] : "0", i < cy.length ? cy[i] : "0");
            if (c != 0) return c;
        }
        if (x[1] == null) return y[1] == null ? 0 : 1;
        if (y[1] == null) return -1;
        String[] px = x[1].split("\\.", -1), py = y[1].split("\\.", -1);
        for (int i = 0; i < Math.min(px.length, py.length); i++) {
            boolean nx = numeric(px[i]), ny = numeric(py[i]);
            int c;
            if (nx && ny) c = GenericOrder.compareNumeric(px[i], py[i]);
            else if (nx) c = -1;
            else if (ny) c = 1;
            else c = px[i].compareTo(py[i]);
            if (c != 0) return c;
        }
        return Integer.compare(px.length, py.length);
    }

    /** [core, pre-release or null]; build metadata dropped, a leading v or = stripped. */
    private static String[] split(String v) {
        String s = v.trim();
        while (!s.isEmpty() && (s.charAt(0) == 'v' || s.charAt(0) == 'V' || s.charAt(0) == '=')) s = s.substring(1);
        int plus = s.indexOf('+');
        if (plus >= 0) s = s.substring(0, plus);
        int dash = s.indexOf('-');
        return dash >= 0 ? new String[]{s.substring(0, dash), s.substring(dash + 1)} : new String[]{s, null};
    }

    static boolean numeric(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }
}
