package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.registry.query.FleetQuery.AllColumns;
import dev.holdfast.registry.query.FleetQuery.Column;
import dev.holdfast.registry.query.FleetQuery.Columns;
import dev.holdfast.registry.query.FleetQuery.PathColumn;
import dev.holdfast.registry.query.FleetQuery.Selection;
import dev.holdfast.store.StoreException;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Rows of table {@code device} as device twin documents, the shape {@link DeviceQueries} documents:
 * <pre>{@code
 * {"deviceId", "hub", "status", "statusReason", "lifecycle", "parentId", "modelId", "connectionState",
 *  "lastActivityTime", "capabilities": {...}, "health": {"compliance", "risk", "reasons": [...]},
 *  "version", "etag", "tags": {...},
 *  "properties": {"desired": {..., "$version": n}, "reported": {..., "$version": n}}}
 * }</pre>
 * A NULL column is a JSON null (the member is always present); {@code lastActivityTime} is shown as
 * {@link JsonValues#TIMESTAMP}; {@code etag} is {@code device-<version>} as {@code Etag.device} forms it.
 */
final class TwinRows {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Every column a whole twin needs, in the order SELECT * lists them. */
    static final List<String> ALL_COLUMNS = List.of("id", "hub", "status", "status_reason", "lifecycle", "parent_id", "model_id",
            "connection_state", "last_activity", "capabilities", "health_compliance", "health_risk", "health_reasons", "version",
            "tags", "desired", "desired_version", "reported", "reported_version");

    private TwinRows() {
    }

    /** The device columns a selection needs; always including {@code id}, the order of pages. */
    static List<String> columnsFor(Selection selection) {
        if (selection instanceof AllColumns) return ALL_COLUMNS;
        Set<String> cols = new LinkedHashSet<>();
        cols.add("id");
        for (Column c : ((Columns) selection).columns()) {
            if (c instanceof PathColumn pc) {
                TwinField f = pc.path().field();
                cols.add(f.column());
                if (f == TwinField.DESIRED) cols.add("desired_version");
                if (f == TwinField.REPORTED) cols.add("reported_version");
            }
        }
        return List.copyOf(cols);
    }

    /**
     * The twin document of the current row, with the members its {@code columns} provide.
     *
     * @param utf8 read JSON columns as UTF-8 bytes (SQLite, which stores TEXT as UTF-8): parsing the
     *             bytes skips a String and its char[] copy per document, a third of what a page of
     *             twins allocates
     */
    static ObjectNode twin(ResultSet rs, List<String> columns, Set<String> has, boolean utf8) throws SQLException {
        String id = rs.getString("id");
        ObjectNode t = NODES.objectNode();
        t.put("deviceId", id);
        text(t, "hub", rs, has, "hub");
        text(t, "status", rs, has, "status");
        text(t, "statusReason", rs, has, "status_reason");
        text(t, "lifecycle", rs, has, "lifecycle");
        text(t, "parentId", rs, has, "parent_id");
        text(t, "modelId", rs, has, "model_id");
        text(t, "connectionState", rs, has, "connection_state");
        if (has.contains("last_activity")) {
            long millis = rs.getLong("last_activity");
            if (rs.wasNull()) t.putNull("lastActivityTime");
            else t.put("lastActivityTime", JsonValues.timestamp(millis));
        }
        if (has.contains("capabilities")) t.set("capabilities", document(rs, "capabilities", id, utf8));
        if (has.contains("health_compliance") || has.contains("health_risk") || has.contains("health_reasons")) {
            ObjectNode health = t.putObject("health");
            text(health, "compliance", rs, has, "health_compliance");
            if (has.contains("health_risk")) {
                double risk = rs.getDouble("health_risk");
                if (rs.wasNull()) health.putNull("risk");
                else health.put("risk", risk);
            }
            if (has.contains("health_reasons")) health.set("reasons", document(rs, "health_reasons", id, utf8));
        }
        if (has.contains("version")) {
            long version = rs.getLong("version");
            t.put("version", version);
            if (columns.equals(ALL_COLUMNS)) t.put("etag", "device-" + version); // whole twins only
        }
        if (has.contains("tags")) t.set("tags", document(rs, "tags", id, utf8));
        if (has.contains("desired") || has.contains("reported")) {
            ObjectNode props = t.putObject("properties");
            if (has.contains("desired")) props.set("desired", side(rs, "desired", id, utf8));
            if (has.contains("reported")) props.set("reported", side(rs, "reported", id, utf8));
        }
        return t;
    }

    private static JsonNode side(ResultSet rs, String column, String id, boolean utf8) throws SQLException {
        JsonNode doc = document(rs, column, id, utf8);
        if (doc instanceof ObjectNode o) {
            o.put("$version", rs.getLong(column + "_version"));
        }
        return doc;
    }

    private static void text(ObjectNode t, String name, ResultSet rs, Set<String> has, String column) throws SQLException {
        if (!has.contains(column)) return;
        String v = rs.getString(column);
        if (v == null) t.putNull(name);
        else t.put(name, v);
    }

    private static JsonNode document(ResultSet rs, String column, String id, boolean utf8) throws SQLException {
        try {
            if (utf8) {
                byte[] bytes = rs.getBytes(column);
                return bytes == null ? NODES.nullNode() : JSON.readTree(bytes);
            }
            String text = rs.getString(column);
            return text == null ? NODES.nullNode() : JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new StoreException("device " + id + ": column " + column + " does not hold valid JSON", e);
        }
    }

    /** A row of a projection: each column's value, omitted when the device has none. */
    static ObjectNode project(List<Column> columns, JsonNode twin) {
        ObjectNode row = NODES.objectNode();
        for (Column c : columns) {
            JsonNode v = twin;
            for (String name : ((PathColumn) c).path().twinPath()) {
                v = v != null && v.isObject() ? v.get(name) : null;
            }
            if (v != null) row.set(c.name(), v);
        }
        return row;
    }
}
