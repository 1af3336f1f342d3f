package dev.holdfast.sensor.analysis;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * MAC vendor lookup from the IEEE MA-L registry as installed on the machine: Debian's
 * {@code ieee-data} ({@code /usr/share/ieee-data/oui.csv}), else Wireshark's {@code manuf}. Nothing
 * is shipped or downloaded; without either file vendors are simply unknown.
 */
public final class OuiTable {
    public static final List<Path> DEFAULT_SOURCES = List.of(Path.of("/usr/share/ieee-data/oui.csv"), Path.of("/usr/share/wireshark/manuf"));
    private final Map<Integer, String> vendors;
    private final String source;

    private OuiTable(Map<Integer, String> vendors, String source) {
        this.vendors = vendors;
        this.source = source;
    }

    public static OuiTable load() {
        for (Path p : DEFAULT_SOURCES) {
            if (Files.isReadable(p)) {
                try {
                    return p.toString().endsWith(".csv") ? fromCsv(p) : fromManuf(p);
                } catch (IOException | RuntimeException e) {
                    // an unreadable registry only costs vendor names; try the next source
                }
            }
        }
        return new OuiTable(Map.of(), "none");
    }

    static OuiTable fromCsv(Path p) throws IOException {
        Map<Integer, String> m = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            r.readLine();
            for (String line; (line = r.readLine()) != null; ) {
                int c1 = line.indexOf(',');
                if (c1 < 0 || line.length() < c1 + 8) continue;
                String hex = line.substring(c1 + 1, c1 + 7);
                int c2 = c1 + 8;
                String name;
                if (c2 < line.length() && line.charAt(c2) == '"') {
                    int q = line.indexOf('"', c2 + 1);
                    name = q > 0 ? line.substring(c2 + 1, q) : line.substring(c2 + 1);
                } else {
                    int c3 = line.indexOf(',', c2);
                    name = c3 > 0 ? line.substring(c2, c3) : line.substring(c2);
                }
                try {
                    m.put(Integer.parseInt(hex, 16), name.trim());
                } catch (NumberFormatException ignored) {
                    // a malformed row: skip it
                }
            }
        }
        return new OuiTable(m, p.toString());
    }

    static OuiTable fromManuf(Path p) throws IOException {
        Map<Integer, String> m = new HashMap<>();
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.length() < 9 || line.charAt(8) != '\t') continue;
            String[] cols = line.split("\t");
            try {
                m.put(Integer.parseInt(cols[0].replace(":", ""), 16), cols[cols.length - 1].trim());
            } catch (NumberFormatException ignored) {
                // not a 24-bit prefix row
            }
        }
        return new OuiTable(m, p.toString());
    }

    public Optional<String> vendor(long mac) {
        return Optional.ofNullable(vendors.get((int) (mac >>> 24) & 0xFFFFFF));
    }

    public String source() {
        return source;
    }

    public int size() {
        return vendors.size();
    }
}
