package dev.holdfast.registry.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.store.Database;
import dev.holdfast.store.Dialect;
import dev.holdfast.store.StoreConfig;
import dev.holdfast.testing.TestDatabases;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Test devices: rows INSERTed straight into table {@code device} (no registry classes involved) and,
 * built independently from the same values, the twin document the query language sees.
 */
final class TestFleet {
    static final ObjectMapper JSON = new ObjectMapper();
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private TestFleet() {
    }

    /** One device row; JSON documents as Jackson trees. */
    record Device(String id, String hub, String status, String statusReason, String lifecycle, String parentId, String modelId,
                  String connectionState, Long lastActivity, ObjectNode capabilities, String compliance, Double risk, ArrayNode reasons,
                  long version, ObjectNode tags, ObjectNode desired, long desiredVersion, ObjectNode reported, long reportedVersion) {
    }

    /** A plain device: enabled, active, connected, everything else empty. */
    static Device device(String id) {
        return new Device(id, "hub-1.example", "enabled", null, "active", null, null, "connected", null,
                (ObjectNode) json("{\"gateway\":false}"), "unknown", null, JSON.createArrayNode(), 1, JSON.createObjectNode(),
                JSON.createObjectNode(), 1, JSON.createObjectNode(), 1);
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static StoreConfig config(TestDatabases.Kind kind, Path dir) {
        if (kind == TestDatabases.Kind.SQLITE) return StoreConfig.embedded(dir);
        TestDatabases.requirePostgres();
        return new StoreConfig(dir, Optional.of(TestDatabases.POSTGRES_URL), Optional.of(TestDatabases.POSTGRES_USER), Optional.empty(),
                Optional.of(TestDatabases.freshSchema()), 4);
    }

    /** Opens a fresh database with the registry schema. */
    static Database open(TestDatabases.Kind kind, Path dir) {
        Database db = Database.open(config(kind, dir));
        db.migrate("registry");
        return db;
    }

    /** Drops the test's PostgreSQL schema (SQLite lives in the temporary directory). */
    static void drop(Database db) {
        if (db.dialect() != Dialect.POSTGRESQL) return;
        db.withConnection(c -> {
            try (var s = c.createStatement()) {
                s.execute("DROP SCHEMA " + c.getSchema() + " CASCADE");
            }
            return null;
        });
    }

    static void insert(Database db, Collection<Device> devices) {
        Set<String> models = new LinkedHashSet<>();
        for (Device d : devices) if (d.modelId() != null) models.add(d.modelId());
        String json = db.dialect() == Dialect.POSTGRESQL ? "CAST(? AS jsonb)" : "?";
        db.inTransaction(c -> {
            insertModels(c, models);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO device (id, hub, status, status_reason, lifecycle, auth_type,"
                    + " auth_thumbprints, parent_id, model_id, capabilities, tags, tags_version, desired, desired_version, reported,"
                    + " reported_version, twin_metadata, connection_state, last_activity, health_compliance, health_risk, health_reasons,"
                    + " created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 'none', " + json + ", ?, ?, " + json + ", " + json + ", 1, "
                    + json + ", ?, " + json + ", ?, " + json + ", ?, ?, ?, ?, " + json + ", 1700000000000, 1700000000000, ?)")) {
                int n = 0;
                for (Device d : devices) {
                    int i = 1;
                    ps.setString(i++, d.id());
                    ps.setString(i++, d.hub());
                    ps.setString(i++, d.status());
                    ps.setString(i++, d.statusReason());
                    ps.setString(i++, d.lifecycle());
                    ps.setString(i++, "[]");
                    ps.setString(i++, d.parentId());
                    ps.setString(i++, d.modelId());
                    ps.setString(i++, d.capabilities().toString());
                    ps.setString(i++, d.tags().toString());
                    ps.setString(i++, d.desired().toString());
                    ps.setLong(i++, d.desiredVersion());
                    ps.setString(i++, d.reported().toString());
                    ps.setLong(i++, d.reportedVersion());
                    ps.setString(i++, "{}");
                    ps.setString(i++, d.connectionState());
                    if (d.lastActivity() == null) ps.setNull(i++, Types.BIGINT);
                    else ps.setLong(i++, d.lastActivity());
                    ps.setString(i++, d.compliance());
                    if (d.risk() == null) ps.setNull(i++, Types.DOUBLE);
                    else ps.setDouble(i++, d.risk());
                    ps.setString(i++, d.reasons().toString());
                    ps.setLong(i, d.version());
                    ps.addBatch();
                    if (++n % 500 == 0) ps.executeBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    private static void insertModels(Connection c, Set<String> models) throws java.sql.SQLException {
        if (models.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO device_model (id, manufacturer, model, created_at, updated_at)"
                + " VALUES (?, 'Acme', ?, 1700000000000, 1700000000000)")) {
            for (String m : models) {
                ps.setString(1, m);
                ps.setString(2, m);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The twin document of {@code d}, built from the values without reading any row back. */
    static ObjectNode twin(Device d) {
        ObjectNode t = JSON.createObjectNode();
        t.put("deviceId", d.id());
        t.put("hub", d.hub());
        t.put("status", d.status());
        t.put("statusReason", d.statusReason());
        t.put("lifecycle", d.lifecycle());
        t.put("parentId", d.parentId());
        t.put("modelId", d.modelId());
        t.put("connectionState", d.connectionState());
        if (d.lastActivity() == null) t.putNull("lastActivityTime");
        else t.put("lastActivityTime", java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.ofEpochMilli(d.lastActivity())));
        t.set("capabilities", d.capabilities().deepCopy());
        ObjectNode health = t.putObject("health");
        health.put("compliance", d.compliance());
        if (d.risk() == null) health.putNull("risk");
        else health.put("risk", d.risk());
        health.set("reasons", d.reasons().deepCopy());
        t.put("version", d.version());
        t.put("etag", "device-" + d.version());
        t.set("tags", d.tags().deepCopy());
        ObjectNode props = t.putObject("properties");
        ObjectNode desired = d.desired().deepCopy();
        desired.put("$version", d.desiredVersion());
        ObjectNode reported = d.reported().deepCopy();
        reported.put("$version", d.reportedVersion());
        props.set("desired", desired);
        props.set("reported", reported);
        return t;
    }

    static List<JsonNode> twins(Collection<Device> devices) {
        List<JsonNode> all = new ArrayList<>();
        for (Device d : devices) all.add(twin(d));
        return all;
    }

    /** All rows of a query, following continuation tokens. */
    static List<JsonNode> all(DeviceQueries queries, String query, int pageSize) {
        List<JsonNode> rows = new ArrayList<>();
        Optional<String> token = Optional.empty();
        int pages = 0;
        do {
            DeviceQueries.QueryPage page = queries.execute(query, token, pageSize);
            rows.addAll(page.rows());
            token = page.continuation();
            if (++pages > 100_000) throw new AssertionError("no end of pages for " + query);
        } while (token.isPresent());
        return rows;
    }

    static int count(Database db, String table) {
        return db.withConnection(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }
}
