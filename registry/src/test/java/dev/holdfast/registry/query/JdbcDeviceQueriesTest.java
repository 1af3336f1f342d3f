package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.registry.query.DeviceQueries.QueryPage;
import dev.holdfast.store.Database;
import dev.holdfast.store.Dialect;
import dev.holdfast.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.holdfast.registry.query.TestFleet.device;
import static dev.holdfast.registry.query.TestFleet.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JdbcDeviceQueriesTest {
    @TempDir
    Path dir;

    private Database db;

    private JdbcDeviceQueries open(TestDatabases.Kind kind, List<TestFleet.Device> devices) {
        db = TestFleet.open(kind, dir);
        TestFleet.insert(db, devices);
        return new JdbcDeviceQueries(db, TestFleet.KEY);
    }

    @AfterEach
    void close() {
        if (db != null) {
            TestFleet.drop(db);
            db.close();
        }
    }

    /** {@code n} devices {@code dev-000..}, tags {site: s<i % sites>, bucket: i % 7 (every 11th a string)}. */
    private static List<TestFleet.Device> fleet(int n, int sites) {
        List<TestFleet.Device> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TestFleet.Device d = device(String.format("dev-%04d", i));
            d.tags().put("site", "s" + (i % sites));
            if (i % 11 == 0) d.tags().put("bucket", "b" + (i % 3));
            else d.tags().put("bucket", i % 7);
            d.reported().put("battery", i % 100);
            all.add(d);
        }
        return all;
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void selectStar_returnsTheTwinDocument(TestDatabases.Kind kind) {
        TestFleet.Device d = new TestFleet.Device("dev-1", "hub.example", "disabled", "lost", "quarantined", "gw-1", "m1", "disconnected",
                1_700_000_000_005L, (ObjectNode) json("{\"gateway\":true}"), "non-compliant", 0.75, (com.fasterxml.jackson.databind.node.ArrayNode)
                json("[\"CVE-2024-1\"]"), 4, (ObjectNode) json("{\"site\":\"plant-3\",\"n\":[1,{\"a\":null}]}"),
                (ObjectNode) json("{\"fw\":{\"version\":\"2.1\"}}"), 5, (ObjectNode) json("{\"fw\":{\"version\":\"2.0\"},\"t\":21.5}"), 9);
        JdbcDeviceQueries q = open(kind, List.of(d, device("dev-2")));
        QueryPage page = q.execute("SELECT * FROM devices WHERE deviceId = 'dev-1'", Optional.empty(), 10);
        assertThat(page.rows()).hasSize(1);
        assertThat(page.rows().get(0)).isEqualTo(TestFleet.twin(d));
        assertThat(page.rows().get(0).get("lastActivityTime").asText()).isEqualTo("2023-11-14T22:13:20.005Z");
        assertThat(page.rows().get(0).get("etag").asText()).isEqualTo("device-4");
        assertThat(page.continuation()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void pages_neverSkipOrRepeat_inEveryShape(TestDatabases.Kind kind) {
        List<TestFleet.Device> devices = fleet(230, 5);
        JdbcDeviceQueries q = open(kind, devices);
        List<JsonNode> twins = TestFleet.twins(devices);
        for (String query : List.of(
                "SELECT * FROM devices WHERE tags.site = 's1'",
                "SELECT deviceId, tags.bucket FROM devices",
                "SELECT deviceId FROM devices ORDER BY tags.bucket",
                "SELECT deviceId, tags.bucket FROM devices WHERE tags.site IN ['s1', 's2'] ORDER BY tags.bucket DESC, properties.reported.battery",
                "SELECT COUNT() AS n, tags.bucket, tags.site FROM devices GROUP BY tags.bucket, tags.site",
                "SELECT TOP 23 deviceId FROM devices ORDER BY properties.reported.battery DESC",
                "SELECT TOP 7 COUNT() AS n, tags.bucket FROM devices GROUP BY tags.bucket")) {
            List<JsonNode> expected = ReferenceEvaluator.run(QueryParser.parse(query), twins);
            for (int pageSize : new int[]{1, 2, 5, 10, 1000}) {
                List<JsonNode> rows = new ArrayList<>();
                Optional<String> token = Optional.empty();
                int pages = 0;
                do {
                    QueryPage page = q.execute(query, token, pageSize);
                    assertThat(page.rows().size()).isLessThanOrEqualTo(pageSize);
                    if (page.continuation().isPresent()) assertThat(page.rows()).hasSize(pageSize);
                    rows.addAll(page.rows());
                    token = page.continuation();
                    pages++;
                } while (token.isPresent());
                assertThat(JsonComparison.sameRows(rows, expected)).as(query + " in pages of " + pageSize).isTrue();
                assertThat(pages).isEqualTo(Math.max(1, (expected.size() + pageSize - 1) / pageSize));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void top_capsTheWholeResult_pageSizeThePage(TestDatabases.Kind kind) {
        JdbcDeviceQueries q = open(kind, fleet(50, 5));
        String query = "SELECT TOP 23 deviceId FROM devices";
        QueryPage p1 = q.execute(query, Optional.empty(), 10);
        QueryPage p2 = q.execute(query, p1.continuation(), 10);
        QueryPage p3 = q.execute(query, p2.continuation(), 10);
        assertThat(List.of(p1.rows().size(), p2.rows().size(), p3.rows().size())).containsExactly(10, 10, 3);
        assertThat(p3.continuation()).isEmpty();
        assertThat(q.execute("SELECT TOP 10 deviceId FROM devices", Optional.empty(), 10).continuation()).isEmpty();
        assertThat(q.execute("SELECT COUNT() AS n FROM devices", Optional.empty(), 1).rows()).extracting(r -> r.get("n").asInt()).containsExactly(50);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void continuation_isTamperEvidentAndBoundToItsQuery(TestDatabases.Kind kind) {
        JdbcDeviceQueries q = open(kind, fleet(30, 3));
        String query = "SELECT deviceId FROM devices WHERE tags.site = 's1' ORDER BY tags.bucket";
        String token = q.execute(query, Optional.empty(), 2).continuation().orElseThrow();
        assertThat(q.execute(query, Optional.of(token), 2).rows()).hasSize(2);

        String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8);
        assertThat(payload).contains("\"id\":\"dev-");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.replace("\"id\":\"dev-", "\"id\":\"' OR 1=1 --").getBytes(StandardCharsets.UTF_8)) + token.substring(token.indexOf('.'));
        List<String> bad = new ArrayList<>(List.of(forged, "", "abc", ".", token + "x", token.substring(1), token.replace('.', '!'),
                "x".repeat(20_000), token.substring(0, token.indexOf('.')) + "." + Base64.getUrlEncoder().encodeToString(new byte[32])));
        char[] chars = token.toCharArray();
        chars[chars.length / 3] = chars[chars.length / 3] == 'A' ? 'B' : 'A';
        bad.add(new String(chars));
        for (String t : bad) {
            assertThatThrownBy(() -> q.execute(query, Optional.of(t), 2)).as(t).isInstanceOf(QuerySyntaxException.class)
                    .hasMessageContaining("continuation token");
        }
        // Bound to the exact text, and to the key.
        assertThatThrownBy(() -> q.execute(query + " ", Optional.of(token), 2)).isInstanceOf(QuerySyntaxException.class);
        JdbcDeviceQueries otherKey = new JdbcDeviceQueries(db, "another key, 32 bytes long......".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> otherKey.execute(query, Optional.of(token), 2)).isInstanceOf(QuerySyntaxException.class);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void misuse_isRefusedWithTheRule(TestDatabases.Kind kind) {
        JdbcDeviceQueries q = open(kind, List.of());
        assertThatThrownBy(() -> q.execute("SELECT * FROM devices", Optional.empty(), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pageSize: 0 (expected: 1..1000)");
        assertThatThrownBy(() -> q.execute("SELECT * FROM devices", Optional.empty(), 1001)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JdbcDeviceQueries(db, new byte[8])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("continuationKey: 8 bytes (expected: >= 16 bytes)");
        assertThatThrownBy(() -> new JdbcDeviceQueries(db, TestFleet.KEY, List.of("status"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(q.execute("SELECT * FROM devices", Optional.empty(), 5).rows()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void admission_queriesBeyondTheLimitWaitTheirTurnAndAllAnswerCorrectly(TestDatabases.Kind kind) throws Exception {
        open(kind, fleet(60, 3));
        assertThatThrownBy(() -> new JdbcDeviceQueries(db, TestFleet.KEY, QueryIndexes.DEFAULT_HOT_PATHS, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrentQueries: -1");
        JdbcDeviceQueries one = new JdbcDeviceQueries(db, TestFleet.KEY, QueryIndexes.DEFAULT_HOT_PATHS, 1);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(6)) {
            List<java.util.concurrent.Future<Integer>> sizes = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String site = "s" + (i % 3);
                sizes.add(pool.submit(() -> one.execute("SELECT * FROM devices WHERE tags.site = '" + site + "'", Optional.empty(), 100).rows().size()));
            }
            for (var f : sizes) assertThat(f.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(20);
        }
        assertThat(JdbcDeviceQueries.defaultConcurrency(db)).isEqualTo(kind == TestDatabases.Kind.SQLITE
                ? Runtime.getRuntime().availableProcessors() : 0);
    }

    /** Strings an attacker would try, in every position where the language takes a string. */
    static final List<String> HOSTILE = List.of("'); DROP TABLE device; --", "' OR '1'='1", "\\'; DELETE FROM device; --", "\"; DROP TABLE device; --",
            "$.site') IS NOT NULL OR ('1", "{\"site\":\"plant-3\"}", "' || (SELECT COUNT(*) FROM device) || '", "%", "_", "*", "?", "$1",
            "]['", "\\", "\u202Eevil", "\uD83D\uDE00", "'; ATTACH DATABASE '/tmp/x.db' AS x; --", "tags', '$') --", "a\u0001b");

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void injection_changesNothing_andGivesTheCorrectResultOrASyntaxError(TestDatabases.Kind kind) {
        List<TestFleet.Device> devices = fleet(20, 2);
        TestFleet.Device odd = device("odd");
        for (String h : HOSTILE) odd.tags().put("k" + HOSTILE.indexOf(h), h);
        devices.add(odd);
        JdbcDeviceQueries q = open(kind, devices);
        List<JsonNode> twins = TestFleet.twins(devices);
        Set<String> tables = tables();
        List<String> templates = List.of(
                "SELECT * FROM devices WHERE tags.site = %s",
                "SELECT * FROM devices WHERE %s = tags.site",
                "SELECT * FROM devices WHERE tags.site != %s",
                "SELECT * FROM devices WHERE deviceId > %s",
                "SELECT * FROM devices WHERE status IN [%s, 'x']",
                "SELECT * FROM devices WHERE tags.site NIN (%s)",
                "SELECT * FROM devices WHERE STARTSWITH(tags.site, %s)",
                "SELECT * FROM devices WHERE ENDSWITH(statusReason, %s) OR CONTAINS(hub, %s)",
                "SELECT * FROM devices WHERE tags[%s] = 'x'",
                "SELECT tags[%s] FROM devices",
                "SELECT * FROM devices ORDER BY tags[%s]",
                "SELECT COUNT() AS n, tags[%s] FROM devices GROUP BY tags[%s]",
                "SELECT * FROM devices WHERE NOT tags[%s] IN [%s]",
                "SELECT * FROM devices WHERE lastActivityTime < %s",
                "SELECT * FROM devices WHERE tags.k0 = %s",
                "SELECT * FROM devices WHERE %s");
        int answered = 0;
        int refused = 0;
        for (String template : templates) {
            for (String h : HOSTILE) {
                for (String written : List.of("'" + h.replace("'", "''") + "'", "'" + h + "'", h)) {
                    String query = template.replace("%s", written);
                    List<JsonNode> expected;
                    try {
                        expected = ReferenceEvaluator.run(QueryParser.parse(query), twins);
                    } catch (QuerySyntaxException e) {
                        assertThatThrownBy(() -> q.execute(query, Optional.empty(), 1000)).as(query).isInstanceOf(QuerySyntaxException.class);
                        refused++;
                        continue;
                    }
                    List<JsonNode> actual = TestFleet.all(q, query, 1000);
                    assertThat(JsonComparison.sameRows(actual, expected)).as(query).isTrue();
                    answered++;
                }
            }
        }
        assertThat(TestFleet.count(db, "device")).isEqualTo(devices.size());
        assertThat(TestFleet.count(db, "device_model")).isZero();
        assertThat(tables()).isEqualTo(tables);
        assertThat(answered).isGreaterThan(200);
        assertThat(refused).isGreaterThan(100);
        // The hostile strings stored as data are found exactly, by equality and by prefix.
        for (int i = 0; i < HOSTILE.size(); i++) {
            String h = HOSTILE.get(i);
            String lit = "'" + h.replace("'", "''") + "'";
            assertThat(TestFleet.all(q, "SELECT deviceId FROM devices WHERE tags.k" + i + " = " + lit, 10)).as(h).hasSize(1);
            assertThat(TestFleet.all(q, "SELECT deviceId FROM devices WHERE STARTSWITH(tags.k" + i + ", " + lit + ")", 10)).as(h).hasSize(1);
        }
    }

    private Set<String> tables() {
        String sql = db.dialect() == Dialect.SQLITE ? "SELECT name FROM sqlite_master ORDER BY name"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name";
        return db.withConnection(c -> {
            Set<String> names = new HashSet<>();
            try (var s = c.createStatement(); var rs = s.executeQuery(sql)) {
                while (rs.next()) names.add(rs.getString(1));
            }
            return names;
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void indexes_serveTagEqualityAndTheReportedRange(TestDatabases.Kind kind) {
        JdbcDeviceQueries q = open(kind, fleet(5000, 200));
        if (kind == TestDatabases.Kind.POSTGRESQL) execute("ANALYZE device");
        String site = QueryIndexes.indexName(FieldPath.of(TwinField.TAGS, "site"));
        assertThat(q.indexes()).contains(site);
        assertThat(plan(q, "SELECT * FROM devices WHERE tags.site = 's7'")).contains(site);
        assertThat(plan(q, "SELECT * FROM devices WHERE tags.site = 's7' AND properties.reported.battery < 20")).contains(site);
        assertThat(plan(q, "SELECT COUNT() AS n FROM devices WHERE tags.site IN ['s7', 's8']")).contains(site);
        if (kind == TestDatabases.Kind.POSTGRESQL) {
            // Tags without a B-tree index of their own: containment, served by the GIN index.
            assertThat(plan(q, "SELECT * FROM devices WHERE tags.bucket = 'b1'")).contains("dq_tags_gin");
            assertThat(plan(q, "SELECT * FROM devices WHERE properties.reported.battery = 17")).contains("dq_reported_gin");
        }
    }

    private String plan(JdbcDeviceQueries q, String query) {
        SqlStatement st = q.compiler().compile(QueryParser.parse(query), Optional.empty(), 101);
        String explain = (db.dialect() == Dialect.SQLITE ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + st.sql();
        return db.withConnection(c -> {
            StringBuilder sb = new StringBuilder();
            try (PreparedStatement ps = c.prepareStatement(explain)) {
                JdbcDeviceQueries.bind(ps, st.params());
                try (ResultSet rs = ps.executeQuery()) {
                    int cols = rs.getMetaData().getColumnCount();
                    while (rs.next()) sb.append(rs.getString(cols)).append('\n');
                }
            }
            return sb.toString();
        });
    }

    private void execute(String sql) {
        db.withConnection(c -> {
            try (var s = c.createStatement()) {
                s.execute(sql);
            }
            return null;
        });
    }
}
