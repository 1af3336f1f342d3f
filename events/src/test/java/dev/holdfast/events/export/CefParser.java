package dev.holdfast.events.export;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses CEF back as a SIEM would, independent of the formatter: header fields split on unescaped pipes, extensions on unescaped equals signs. */
record CefParser(List<String> header, Map<String, String> extensions) {

    static CefParser parse(String cef) {
        if (!cef.startsWith("CEF:")) throw new IllegalArgumentException("not CEF: " + cef);
        List<String> header = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (header.size() < 7) {
            if (i >= cef.length()) throw new IllegalArgumentException("CEF header has " + header.size() + " fields: " + cef);
            char c = cef.charAt(i++);
            if (c == '\\' && i < cef.length() && (cef.charAt(i) == '\\' || cef.charAt(i) == '|')) {
                field.append(cef.charAt(i++));
            } else if (c == '|') {
                header.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        String ext = cef.substring(i);
        List<Integer> equals = new ArrayList<>();
        for (int j = 0; j < ext.length(); j++) {
            char c = ext.charAt(j);
            if (c == '\\') j++;
            else if (c == '=') equals.add(j);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int k = 0; k < equals.size(); k++) {
            int eq = equals.get(k);
            int keyStart = ext.lastIndexOf(' ', eq) + 1;
            String key = ext.substring(keyStart, eq);
            int end = k + 1 < equals.size() ? ext.lastIndexOf(' ', equals.get(k + 1)) : ext.length();
            out.put(key, unescape(ext.substring(eq + 1, end)));
        }
        return new CefParser(header, out);
    }

    private static String unescape(String v) {
        StringBuilder b = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' && i + 1 < v.length()) {
                char n = v.charAt(++i);
                b.append(switch (n) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    default -> n;
                });
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
