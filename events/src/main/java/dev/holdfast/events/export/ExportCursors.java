package dev.holdfast.events.export;

import dev.holdfast.store.Database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** The exporters' durable cursors in {@code event_export_cursor}. */
public final class ExportCursors {
    private final Database db;

    public ExportCursors(Database db) {
        this.db = db;
        db.migrate("events");
    }

    /** The last sequence number delivered by {@code exporter}; 0 when it never delivered anything. */
    public long load(String exporter) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT last_seq FROM event_export_cursor WHERE exporter = ?")) {
                ps.setString(1, exporter);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    /** Moves the cursor forward; never backward (a late, lower value is ignored). */
    public void store(String exporter, long lastSeq) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO event_export_cursor (exporter, last_seq, updated_at) VALUES (?,?,?) "
                            + "ON CONFLICT (exporter) DO UPDATE SET last_seq = excluded.last_seq, updated_at = excluded.updated_at "
                            + "WHERE event_export_cursor.last_seq < excluded.last_seq")) {
                ps.setString(1, exporter);
                ps.setLong(2, lastSeq);
                ps.setLong(3, System.currentTimeMillis());
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Map<String, Long> all() {
        return db.withConnection(c -> {
            Map<String, Long> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT exporter, last_seq FROM event_export_cursor ORDER BY exporter");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
            }
            return out;
        });
    }
}
