package dev.holdfast.posture.advisory;

import java.util.ArrayList;
import java.util.List;

/** CPE 2.3 formatted strings (NISTIR 7695 §6.2): {@code cpe:2.3:part:vendor:product:version:...}, 13 fields, {@code \:} escapes. */
public final class Cpe {
    private Cpe() {
    }

    /** The 13 fields, or null when it is not a CPE 2.3 formatted string. */
    public static String[] split(String s) {
        if (s == null || !s.startsWith("cpe:2.3:") || s.length() > 1024) return null;
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                cur.append(c).append(s.charAt(++i));
            } else if (c == ':') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        if (out.size() != 13) return null;
        for (int i = 2; i < 6; i++) if (out.get(i).isEmpty()) return null;
        return out.toArray(String[]::new);
    }

    public static String unescape(String field) {
        StringBuilder b = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length()) c = field.charAt(++i);
            b.append(c);
        }
        return b.toString();
    }
}
