package dev.holdfast.posture.version;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEP 440 ordering (the {@code packaging} library's key): epoch, release with trailing zeros ignored,
 * then dev-only releases &lt; pre-releases &lt; the release &lt; post-releases, dev before its base, and a
 * local version after the same public version. Spellings are normalised as PEP 440 says
 * ({@code alpha}=a, {@code c}/{@code pre}/{@code preview}=rc, {@code rev}/{@code r}=post, {@code 1.0-1}=post 1).
 * A string that is not PEP 440 sorts by the generic rules after every valid version.
 */
final class Pep440Order {
    private Pep440Order() {
    }

    private static final Pattern P = Pattern.compile(
            "^\\s*v?(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)"
                    + "(?:[-_.]?(?<pl>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pn>[0-9]+)?)?"
                    + "(?:(?:-(?<po1>[0-9]+))|(?:[-_.]?(?<pol>post|rev|r)[-_.]?(?<po2>[0-9]+)?))?"
                    + "(?:[-_.]?(?<dl>dev)[-_.]?(?<dn>[0-9]+)?)?"
                    + "(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$");

    static int compare(String a, String b) {
        Matcher x = P.matcher(a.toLowerCase(Locale.ROOT)), y = P.matcher(b.toLowerCase(Locale.ROOT));
        boolean mx = x.matches(), my = y.matches();
        if (!mx || !my) return mx ? -1 : my ? 1 : GenericOrder.compare(a, b);
        int c = GenericOrder.compareNumeric(def(x.group("epoch")), def(y.group("epoch")));
        if (c != 0) return c;
        String[] rx = x.group("release").split("\\."), ry = y.group("release").split("\\.");
        for (int i = 0; i < Math.max(rx.length, ry.length); i++) {
            c = GenericOrder.compareNumeric(i < rx.length ? rx[i] : "0", i < ry.length ? ry[i] : "0");
            if (c != 0) return c;
        }
        c = Double.compare(preKey(x), preKey(y));
        if (c != 0) return c;
        if (x.group("pl") != null && y.group("pl") != null) {
            c = GenericOrder.compareNumeric(def(x.group("pn")), def(y.group("pn")));
            if (c != 0) return c;
        }
        c = Double.compare(postKey(x), postKey(y));
        if (c != 0) return c;
        c = Double.compare(devKey(x), devKey(y));
        if (c != 0) return c;
        String lx = x.group("local"), ly = y.group("local");
        if (lx == null || ly == null) return lx == null ? (ly == null ? 0 : -1) : 1;
        String[] px = lx.split("[-_.]"), py = ly.split("[-_.]");
        for (int i = 0; i < Math.min(px.length, py.length); i++) {
            boolean nx = SemverOrder.numeric(px[i]), ny = SemverOrder.numeric(py[i]);
            c = nx && ny ? GenericOrder.compareNumeric(px[i], py[i]) : nx ? 1 : ny ? -1 : px[i].compareTo(py[i]);
            if (c != 0) return c;
        }
        return Integer.compare(px.length, py.length);
    }

    private static String def(String s) {
        return s == null ? "0" : s;
    }

    /** -inf for a dev-only release, +inf for no pre-release, else the letter's rank. */
    private static double preKey(Matcher m) {
        String pl = m.group("pl");
        boolean post = m.group("po1") != null || m.group("pol") != null;
        if (pl == null && !post && m.group("dl") != null) return Double.NEGATIVE_INFINITY;
        if (pl == null) return Double.POSITIVE_INFINITY;
        return switch (pl) {
            case "a", "alpha" -> 0;
            case "b", "beta" -> 1;
            default -> 2;
        };
    }

    private static double postKey(Matcher m) {
        String n = m.group("po1") != null ? m.group("po1") : m.group("pol") != null ? def(m.group("po2")) : null;
        return n == null ? Double.NEGATIVE_INFINITY : Double.parseDouble(n);
    }

    private static double devKey(Matcher m) {
        return m.group("dl") == null ? Double.POSITIVE_INFINITY : Double.parseDouble(def(m.group("dn")));
    }
}
