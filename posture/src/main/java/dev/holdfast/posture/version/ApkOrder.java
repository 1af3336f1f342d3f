package dev.holdfast.posture.version;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * apk-tools' version order (Alpine's {@code APKBUILD} pkgver/pkgrel): dot-separated numbers, an optional
 * single letter, suffixes {@code _alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p},
 * each with an optional number, then {@code -rN}. Versions outside that grammar fall back to the
 * generic order.
 */
final class ApkOrder {
    private ApkOrder() {
    }

    private static final Pattern P = Pattern.compile("^([0-9]+(?:\\.[0-9]+)*)([a-z])?((?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*)(?:~[0-9a-f]+)?(?:-r([0-9]+))?$");
    private static final List<String> SUFFIXES = List.of("alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p");

    static int compare(String a, String b) {
        Matcher x = P.matcher(a.trim()), y = P.matcher(b.trim());
        if (!x.matches() || !y.matches()) return GenericOrder.compare(a, b);
        String[] nx = x.group(1).split("\\."), ny = y.group(1).split("\\.");
        for (int i = 0; i < Math.min(nx.length, ny.length); i++) {
            int c = GenericOrder.compareNumeric(nx[i], ny[i]);
            if (c != 0) return c;
        }
        if (nx.length != ny.length) return Integer.compare(nx.length, ny.length);
        String lx = x.group(2) == null ? "" : x.group(2), ly = y.group(2) == null ? "" : y.group(2);
        int c = lx.compareTo(ly);
        if (c != 0) return c;
        List<String[]> sx = suffixes(x.group(3)), sy = suffixes(y.group(3));
        for (int i = 0; i < Math.max(sx.size(), sy.size()); i++) {
            String[] p = i < sx.size() ? sx.get(i) : new String[]{"", "0"};
            String[] q = i < sy.size() ? sy.get(i) : new String[]{"", "0"};
            c = Integer.compare(SUFFIXES.indexOf(p[0]), SUFFIXES.indexOf(q[0]));
            if (c != 0) return c;
            c = GenericOrder.compareNumeric(p[1], q[1]);
            if (c != 0) return c;
        }
        return GenericOrder.compareNumeric(x.group(4) == null ? "0" : x.group(4), y.group(4) == null ? "0" : y.group(4));
    }

    private static List<String[]> suffixes(String s) {
        List<String[]> out = new ArrayList<>();
        if (s == null || s.isEmpty()) return out;
        for (String part : s.substring(1).split("_")) {
            int k = 0;
            while (k < part.length() && Character.isLetter(part.charAt(k))) k++;
            out.add(new String[]{part.substring(0, k), k < part.length() ? part.substring(k) : "0"});
        }
        return out;
    }
}
