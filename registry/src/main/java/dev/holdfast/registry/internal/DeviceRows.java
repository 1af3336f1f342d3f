package dev.holdfast.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.registry.Authentication;
import dev.holdfast.registry.Capabilities;
import dev.holdfast.registry.ConnectionState;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceStatus;
import dev.holdfast.registry.HealthSummary;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.Twin;
import dev.holdfast.store.Dialect;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code device} table (V1__devices.sql) as rows of values in column order: how devices are bound
 * into statements and read back. One row is an {@code Object[]} of String, Long and Double, with JSON
 * columns as their text.
 */
final class DeviceRows {
    static final int ID = 0, HUB = 1, STATUS = 2, STATUS_REASON = 3, LIFECYCLE = 4, AUTH_TYPE = 5, AUTH_THUMBPRINTS = 6,
            PARENT = 7, MODEL = 8, CAPABILITIES = 9, TAGS = 10, TAGS_VERSION = 11, DESIRED = 12, DESIRED_VERSION = 13,
            REPORTED = 14, REPORTED_VERSION = 15, TWIN_METADATA = 16, CONNECTION = 17, LAST_ACTIVITY = 18,
            HEALTH_COMPLIANCE = 19, HEALTH_RISK = 20, HEALTH_REASONS = 21, CREATED = 22, UPDATED = 23, VERSION = 24;
    static final int WIDTH = 25;

    private enum Kind { TEXT, JSON, LONG, DOUBLE }

    private static final String[] NAMES = {"id", "hub", "status", "status_reason", "lifecycle", "auth_type", "auth_thumbprints",
            "parent_id", "model_id", "capabilities", "tags", "tags_version", "desired", "desired_version", "reported",
            "reported_version", "twin_metadata", "connection_state", "last_activity", "health_compliance", "health_risk",
            "health_reasons", "created_at", "updated_at", "version"};
    private static final Kind[] KINDS = {Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.JSON,
            Kind.TEXT, Kind.TEXT, Kind.JSON, Kind.JSON, Kind.LONG, Kind.JSON, Kind.LONG, Kind.JSON,
            Kind.LONG, Kind.JSON, Kind.TEXT, Kind.LONG, Kind.TEXT, Kind.DOUBLE,
            Kind.JSON, Kind.LONG, Kind.LONG, Kind.LONG};

    /** Columns a full update writes: all but the key, the creation time and what the hub records on its own. */
    private static final int[] UPDATED_COLUMNS;

    static {
        List<Integer> cols = new ArrayList<>();
        for (int i = 0; i < WIDTH; i++) {
            if (i != ID && i != CREATED && i != CONNECTION && i != LAST_ACTIVITY) cols.add(i);
        }
        UPDATED_COLUMNS = cols.stream().mapToInt(Integer::intValue).toArray();
    }

    static final String COLUMNS = String.join(", ", NAMES);

    private DeviceRows() {
    }

    /** {@code SELECT <columns> FROM device d} with every column qualified by {@code d.}. */
    static String select(String alias) {
        StringBuilder b = new StringBuilder("SELECT ");
        for (int i = 0; i < WIDTH; i++) {
            if (i > 0) b.append(", ");
            b.append(alias).append('.').append(NAMES[i]);
        }
        return b.append(" FROM device ").append(alias).toString();
    }

    /** {@code INSERT INTO device (...) VALUES (...), (...)} for {@code rows} rows. */
    static String insert(Dialect d, int rows) {
        String one = placeholders(d);
        StringBuilder b = new StringBuilder(64 + rows * (one.length() + 2)).append("INSERT INTO device (").append(COLUMNS).append(") VALUES ");
        for (int r = 0; r < rows; r++) {
            if (r > 0) b.append(", ");
            b.append(one);
        }
        return b.toString();
    }

    private static String placeholders(Dialect d) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < WIDTH; i++) {
            if (i > 0) b.append(", ");
            b.append(KINDS[i] == Kind.JSON ? Sql.jsonParam(d) : "?");
        }
        return b.append(')').toString();
    }

    /**
     * The columns a new device always starts with the same value in, as SQL literals (constants of
     * this class, never input): a bulk INSERT binds only the other 16 of its 25 columns.
     */
    private static final java.util.Map<Integer, String> NEW_DEVICE_CONSTANTS = java.util.Map.of(
            TAGS_VERSION, "1", DESIRED_VERSION, "1", REPORTED_VERSION, "1", CONNECTION, "'disconnected'", LAST_ACTIVITY, "NULL",
            HEALTH_COMPLIANCE, "'unknown'", HEALTH_RISK, "NULL", HEALTH_REASONS, "'[]'", VERSION, "1");

    /** Like {@link #insert} for rows of new devices, whose constant columns are written as literals. */
    static String insertNew(Dialect d, int rows) {
        StringBuilder one = new StringBuilder("(");
        for (int i = 0; i < WIDTH; i++) {
            if (i > 0) one.append(", ");
            String constant = NEW_DEVICE_CONSTANTS.get(i);
            one.append(constant != null ? constant : KINDS[i] == Kind.JSON ? Sql.jsonParam(d) : "?");
        }
        one.append(')');
        StringBuilder b = new StringBuilder(64 + rows * (one.length() + 2)).append("INSERT INTO device (").append(COLUMNS).append(") VALUES ");
        for (int r = 0; r < rows; r++) {
            if (r > 0) b.append(", ");
            b.append(one);
        }
        return b.toString();
    }

    /**
     * Binds a new device's row for {@link #insertNew}; returns the next index. The row must hold the
     * constants' values ({@link #isNewDeviceRow}).
     */
    static int bindInsertNew(PreparedStatement ps, int first, Object[] row) throws SQLException {
        int p = first;
        for (int i = 0; i < WIDTH; i++) {
            if (!NEW_DEVICE_CONSTANTS.containsKey(i)) bind(ps, p++, i, row[i]);
        }
        return p;
    }

    /** True when {@code row} has the values {@link #insertNew} writes as literals. */
    static boolean isNewDeviceRow(Object[] row) {
        return Long.valueOf(1).equals(row[TAGS_VERSION]) && Long.valueOf(1).equals(row[DESIRED_VERSION]) && Long.valueOf(1).equals(row[REPORTED_VERSION])
                && "disconnected".equals(row[CONNECTION]) && row[LAST_ACTIVITY] == null && "unknown".equals(row[HEALTH_COMPLIANCE])
                && row[HEALTH_RISK] == null && "[]".equals(row[HEALTH_REASONS]) && Long.valueOf(1).equals(row[VERSION]);
    }

    /** {@code UPDATE device SET ... WHERE id = ? AND version = ?}: the compare-and-set of every write. */
    static String updateIfVersion(Dialect d) {
        StringBuilder b = new StringBuilder("UPDATE device SET ");
        for (int k = 0; k < UPDATED_COLUMNS.length; k++) {
            int i = UPDATED_COLUMNS[k];
            if (k > 0) b.append(", ");
            b.append(NAMES[i]).append(" = ").append(KINDS[i] == Kind.JSON ? Sql.jsonParam(d) : "?");
        }
        return b.append(" WHERE id = ? AND version = ?").toString();
    }

    /** Binds {@code row} for {@link #updateIfVersion}; returns the next parameter index. */
    static int bindUpdate(PreparedStatement ps, Object[] row, long expectedVersion) throws SQLException {
        int p = 1;
        for (int i : UPDATED_COLUMNS) bind(ps, p++, i, row[i]);
        ps.setString(p++, (String) row[ID]);
        ps.setLong(p++, expectedVersion);
        return p;
    }

    /** Binds one row for {@link #insert} starting at parameter {@code first}; returns the next index. */
    static int bindInsert(PreparedStatement ps, int first, Object[] row) throws SQLException {
        int p = first;
        for (int i = 0; i < WIDTH; i++) bind(ps, p++, i, row[i]);
        return p;
    }

    private static void bind(PreparedStatement ps, int p, int column, Object v) throws SQLException {
        switch (KINDS[column]) {
            case TEXT, JSON -> Sql.setString(ps, p, (String) v);
            case LONG -> Sql.setLong(ps, p, (Long) v);
            case DOUBLE -> Sql.setDouble(ps, p, (Double) v);
        }
    }

    static Object[] toRow(Device d) {
        Object[] r = new Object[WIDTH];
        r[ID] = d.id().value();
        r[HUB] = d.hub().orElse(null);
        r[STATUS] = d.status().wireName();
        r[STATUS_REASON] = d.statusReason().orElse(null);
        r[LIFECYCLE] = d.lifecycle().wireName();
        r[AUTH_TYPE] = d.authentication().type();
        r[AUTH_THUMBPRINTS] = thumbprintsJson(d.authentication());
        r[PARENT] = d.parent().map(DeviceId::value).orElse(null);
        r[MODEL] = d.model().orElse(null);
        r[CAPABILITIES] = capabilitiesJson(d.capabilities());
        r[TAGS] = d.tags().json();
        r[TAGS_VERSION] = d.tagsVersion();
        Twin t = d.twin();
        r[DESIRED] = t.desired().json();
        r[DESIRED_VERSION] = t.desiredVersion();
        r[REPORTED] = t.reported().json();
        r[REPORTED_VERSION] = t.reportedVersion();
        r[TWIN_METADATA] = t.metadata().json();
        r[CONNECTION] = d.connectionState().wireName();
        r[LAST_ACTIVITY] = d.lastActivity().map(Instant::toEpochMilli).orElse(null);
        r[HEALTH_COMPLIANCE] = d.health().compliance().wireName();
        r[HEALTH_RISK] = d.health().risk().orElse(null);
        ArrayNode reasons = Json.NODES.arrayNode();
        d.health().reasons().forEach(reasons::add);
        r[HEALTH_REASONS] = Json.write(reasons);
        r[CREATED] = d.createdAt().toEpochMilli();
        r[UPDATED] = d.updatedAt().toEpochMilli();
        r[VERSION] = d.version();
        return r;
    }

    static String thumbprintsJson(Authentication a) {
        ArrayNode arr = Json.NODES.arrayNode();
        if (a instanceof Authentication.Certificate c) c.thumbprints().forEach(arr::add);
        return Json.write(arr);
    }

    static String capabilitiesJson(Capabilities c) {
        return c.gateway() ? "{\"gateway\":true}" : "{\"gateway\":false}";
    }

    static Device read(ResultSet rs) throws SQLException {
        DeviceId id = new DeviceId(rs.getString("id"));
        List<String> thumbprints = new ArrayList<>();
        for (JsonNode t : Json.array(rs.getString("auth_thumbprints"))) thumbprints.add(t.asText());
        Authentication auth = switch (rs.getString("auth_type")) {
            case "certificate" -> new Authentication.Certificate(thumbprints);
            case "ca" -> new Authentication.CaSigned();
            default -> new Authentication.None();
        };
        ObjectNode caps = Json.object(rs.getString("capabilities"));
        List<String> reasons = new ArrayList<>();
        for (JsonNode r : Json.array(rs.getString("health_reasons"))) reasons.add(r.asText());
        HealthSummary health = new HealthSummary(HealthSummary.Compliance.parse(rs.getString("health_compliance")),
                Optional.ofNullable(Sql.getDouble(rs, "health_risk")), reasons);
        Twin twin = new Twin(id, Json.document(rs.getString("desired")), rs.getLong("desired_version"),
                Json.document(rs.getString("reported")), rs.getLong("reported_version"), Json.document(rs.getString("twin_metadata")));
        Long lastActivity = Sql.getLong(rs, "last_activity");
        String parent = rs.getString("parent_id");
        return new Device(id, Optional.ofNullable(rs.getString("hub")), DeviceStatus.parse(rs.getString("status")),
                Optional.ofNullable(rs.getString("status_reason")), LifecycleState.parse(rs.getString("lifecycle")), auth,
                Optional.ofNullable(parent).map(DeviceId::new), Optional.ofNullable(rs.getString("model_id")),
                new Capabilities(caps.path("gateway").asBoolean(false)), Json.document(rs.getString("tags")), rs.getLong("tags_version"),
                twin, ConnectionState.parse(rs.getString("connection_state")), Optional.ofNullable(lastActivity).map(Instant::ofEpochMilli),
                health, Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")), rs.getLong("version"));
    }

    static JsonDocument emptyIfNull(JsonDocument d) {
        return d == null ? JsonDocument.empty() : d;
    }
}
