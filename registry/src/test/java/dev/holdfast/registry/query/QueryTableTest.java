package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.store.Database;
import dev.holdfast.testing.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.holdfast.registry.query.TestFleet.device;
import static dev.holdfast.registry.query.TestFleet.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The query language's semantics as a table: each query with the devices (or rows) it must return,
 * checked on the reference evaluator, SQLite and PostgreSQL over the same eight devices. The cases
 * are the documentation's examples of type mismatch, undefined values, NOT, IN, functions, paths,
 * ordering and grouping.
 */
class QueryTableTest {
    @TempDir
    static Path dir;

    private static final Map<TestDatabases.Kind, Database> databases = new EnumMap<>(TestDatabases.Kind.class);

    static List<TestFleet.Device> devices() {
        List<TestFleet.Device> all = new ArrayList<>();
        TestFleet.Device d01 = device("d01");
        all.add(new TestFleet.Device("d01", d01.hub(), "enabled", null, "active", null, "m1", "connected", 1_700_000_000_000L,
                d01.capabilities(), "compliant", 0.2, d01.reasons(), 1,
                obj("{\"site\":\"plant-3\",\"zone\":\"a\",\"floor\":2,\"tier\":\"gold\",\"active\":true,\"meta\":{\"owner\":\"ops\"}}"),
                obj("{\"fw\":{\"version\":\"2.1\"}}"), 3, obj("{\"fw\":{\"version\":\"2.0.1\"},\"battery\":80,\"temp\":21.5}"), 7));
        all.add(new TestFleet.Device("d02", null, "disabled", "stolen", "active", null, null, "disconnected", null,
                d01.capabilities(), "non-compliant", 0.9, (com.fasterxml.jackson.databind.node.ArrayNode) json("[\"cve\"]"), 2,
                obj("{\"site\":\"plant-3\",\"zone\":\"b\",\"floor\":\"2\",\"active\":false}"), obj("{}"), 1,
                obj("{\"fw\":{\"version\":\"2.1.0\"},\"battery\":15}"), 1));
        all.add(with(device("d03"), "quarantined", 1_700_000_000_123L,
                obj("{\"site\":\"plant-4\",\"floor\":2.0,\"nested\":{\"a\":{\"b\":1}}}"), obj("{\"fw\":\"legacy\",\"battery\":null}")));
        all.add(new TestFleet.Device("d04", "hub-2.example", "enabled", null, "active", null, null, "connected", null, d01.capabilities(),
                "unknown", null, d01.reasons(), 1, obj("{}"), obj("{}"), 1, obj("{}"), 1));
        all.add(with(device("d05"), "active", null,
                obj("{\"site\":\"Plant-3\",\"odd-key\":1,\"ключ\":\"значение\",\"sym\":\"\uFFFD\"}"), obj("{\"fw\":{\"version\":\"10.0\"}}")));
        all.add(with(device("d06"), "active", null, obj("{\"site\":\"plant-3\",\"list\":[\"a\",\"b\"],\"sym\":\"\uD83D\uDE00\"}"),
                obj("{\"battery\":-5,\"temp\":1e2}")));
        TestFleet.Device d07 = device("d07");
        all.add(new TestFleet.Device("d07", d07.hub(), "enabled", null, "active", null, "m2", "connected", null, obj("{\"gateway\":true}"),
                "unknown", null, d07.reasons(), 1, obj("{\"site\":\"plant-5\",\"zone\":\"a\"}"), obj("{}"), 1, obj("{\"battery\":100}"), 1));
        TestFleet.Device d08 = device("d08");
        all.add(new TestFleet.Device("d08", d08.hub(), "disabled", null, "active", "d07", null, "connected", null, d08.capabilities(),
                "unknown", null, d08.reasons(), 1, obj("{\"site\":\"it's\",\"sym\":\"a\"}"), obj("{}"), 1, obj("{}"), 1));
        return all;
    }

    private static TestFleet.Device with(TestFleet.Device d, String lifecycle, Long lastActivity, ObjectNode tags, ObjectNode reported) {
        return new TestFleet.Device(d.id(), d.hub(), d.status(), d.statusReason(), lifecycle, d.parentId(), d.modelId(), d.connectionState(),
                lastActivity, d.capabilities(), d.compliance(), d.risk(), d.reasons(), d.version(), tags, d.desired(), d.desiredVersion(),
                reported, d.reportedVersion());
    }

    private static ObjectNode obj(String text) {
        return (ObjectNode) json(text);
    }

    /** A query and the ids it must return (in this order when the query orders, else sorted). */
    record Case(String query, String expected) {
    }

    static Case ids(String where, String... ids) {
        return new Case("SELECT * FROM devices WHERE " + where, String.join(",", ids));
    }

    static Case rows(String query, String rowsJson) {
        return new Case(query, rowsJson);
    }

    static final String ALL = "d01,d02,d03,d04,d05,d06,d07,d08";

    static List<Case> cases() {
        return List.of(
                // equality, type mismatch, undefined
                ids("tags.site = 'plant-3'", "d01", "d02", "d06"),
                ids("'plant-3' = tags.site", "d01", "d02", "d06"),
                ids("tags.site != 'plant-3'", "d03", "d05", "d07", "d08"),
                ids("tags.site <> 'plant-3'", "d03", "d05", "d07", "d08"),
                ids("NOT tags.site = 'plant-3'", "d03", "d05", "d07", "d08"),
                ids("NOT IS_DEFINED(tags.site)", "d04"),
                ids("tags.site = 'it''s'", "d08"),
                ids("tags.floor = 2", "d01", "d03"),
                ids("tags.floor = 2.0", "d01", "d03"),
                ids("tags.floor = 2e0", "d01", "d03"),
                ids("tags.floor = '2'", "d02"),
                ids("tags.floor != 2"),
                ids("NOT (tags.floor = 2)"),
                ids("tags.floor > 1", "d01", "d03"),
                ids("1 < tags.floor", "d01", "d03"),
                ids("tags.floor >= 2 AND tags.floor <= 2", "d01", "d03"),
                ids("tags.active = true", "d01"),
                ids("tags.active = false", "d02"),
                ids("tags.active != true", "d02"),
                ids("tags.active > false"),
                ids("NOT tags.active > false"),
                ids("tags.active = 1"),
                ids("tags.list = 'a'"),
                ids("tags.meta = 'x'"),
                ids("tags.meta.owner = 'ops'", "d01"),
                // strings compare by code point
                ids("properties.reported.fw.version < '2.1'", "d01", "d05"),
                ids("tags.site = 'plant-3' AND properties.reported.fw.version < '2.1'", "d01"),
                ids("tags.sym > 'z'", "d05", "d06"),
                ids("tags.sym > '\uFFFD'", "d06"),
                ids("tags.site < 'p'", "d05", "d08"),
                // numbers and null
                ids("properties.reported.battery < 20", "d02", "d06"),
                ids("properties.reported.battery >= -5 AND properties.reported.battery <= 15", "d02", "d06"),
                ids("properties.reported.temp = 100", "d06"),
                ids("properties.reported.temp > 21.49999", "d01", "d06"),
                ids("properties.reported.battery = null", "d03"),
                ids("IS_NULL(properties.reported.battery)", "d03"),
                ids("NOT IS_NULL(properties.reported.battery)", "d01", "d02", "d04", "d05", "d06", "d07", "d08"),
                ids("properties.reported.battery != null"),
                ids("properties.reported.battery < null"),
                ids("IS_NUMBER(properties.reported.battery)", "d01", "d02", "d06", "d07"),
                ids("IS_STRING(properties.reported.fw)", "d03"),
                ids("IS_OBJECT(properties.reported.fw)", "d01", "d02", "d05"),
                ids("IS_BOOL(tags.active)", "d01", "d02"),
                ids("IS_ARRAY(tags.list)", "d06"),
                ids("NOT IS_STRING(tags.floor)", "d01", "d03", "d04", "d05", "d06", "d07", "d08"),
                // IN and NIN
                ids("tags.site IN ['plant-4', 'plant-5']", "d03", "d07"),
                ids("tags.site IN ('plant-4')", "d03"),
                ids("tags.site NIN ['plant-3', 'plant-4']", "d05", "d07", "d08"),
                ids("tags.site NOT IN ('plant-3')", "d03", "d05", "d07", "d08"),
                ids("tags.floor IN [2, '2']", "d01", "d02", "d03"),
                ids("tags.floor NIN [2, '2']"),
                ids("tags.floor NIN [3, 4]", "d01", "d03"),
                ids("tags.floor NIN [3]", "d01", "d03"),
                ids("tags.active IN [true, false]", "d01", "d02"),
                ids("tags.active NIN [true]", "d02"),
                ids("tags.active NIN [true, false]"),
                ids("properties.reported.battery IN [null, 15]", "d02", "d03"),
                // a mixed list is never false: 80 = null is undefined, so 80 IN [null, 15] is undefined, and so is its NOT
                ids("NOT properties.reported.battery IN [null, 15]"),
                ids("NOT properties.reported.battery IN [15, 16]", "d01", "d06", "d07"),
                ids("tags.site IN ['plant-5', 5]", "d07"),
                ids("NOT tags.site IN ['plant-5', 5]"),
                // functions
                ids("STARTSWITH(tags.site, 'plant')", "d01", "d02", "d03", "d06", "d07"),
                ids("ENDSWITH(tags.site, '-3')", "d01", "d02", "d05", "d06"),
                ids("CONTAINS(tags.site, 'ant-')", "d01", "d02", "d03", "d05", "d06", "d07"),
                ids("NOT STARTSWITH(tags.site, 'plant')", "d05", "d08"),
                ids("STARTSWITH(tags.floor, '2')", "d02"),
                ids("NOT STARTSWITH(tags.floor, '2')"),
                ids("STARTSWITH(tags.site, '')", "d01", "d02", "d03", "d05", "d06", "d07", "d08"),
                ids("NOT ENDSWITH(tags.site, '')"),
                ids("ENDSWITH(tags.sym, '\uD83D\uDE00')", "d06"),
                ids("STARTSWITH(tags['ключ'], 'знач')", "d05"),
                ids("CONTAINS(tags.site, '''')", "d08"),
                ids("is_defined(tags.zone)", "d01", "d02", "d07"),
                // paths
                ids("tags['odd-key'] = 1", "d05"),
                ids("tags['ключ'] = 'значение'", "d05"),
                ids("tags.nested.a.b = 1", "d03"),
                ids("tags.nested['a'].b >= 1", "d03"),
                ids("tags['nested']['a']['b'] = 1", "d03"),
                ids("tags.nested.a = 1"),
                ids("IS_DEFINED(tags.list.a)"),
                ids("capabilities.gateway = true", "d07"),
                ids("tags.select = 1"),
                // top-level fields
                ids("status = 'disabled'", "d02", "d08"),
                ids("statusReason = 'stolen'", "d02"),
                ids("IS_NULL(statusReason)", "d01", "d03", "d04", "d05", "d06", "d07", "d08"),
                ids("hub = null", "d02"),
                ids("NOT IS_NULL(hub)", "d01", "d03", "d04", "d05", "d06", "d07", "d08"),
                ids("hub = 'hub-2.example'", "d04"),
                ids("hub != 'hub-2.example'", "d01", "d03", "d05", "d06", "d07", "d08"),
                ids("parentId = 'd07'", "d08"),
                ids("modelId IN ['m1', 'm2']", "d01", "d07"),
                ids("lifecycle = 'quarantined'", "d03"),
                ids("connectionState = 'disconnected'", "d02"),
                ids("lastActivityTime > '2023-11-14T22:13:20.000Z'", "d03"),
                ids("lastActivityTime = '2023-11-14T22:13:20.123Z'", "d03"),
                ids("lastActivityTime >= '2023-11-14'", "d01", "d03"),
                ids("STARTSWITH(lastActivityTime, '2023-11-14T22')", "d01", "d03"),
                ids("lastActivityTime = null", "d02", "d04", "d05", "d06", "d07", "d08"),
                ids("health.risk > 0.5", "d02"),
                ids("health.risk = 0.2", "d01"),
                ids("health.risk = null", "d03", "d04", "d05", "d06", "d07", "d08"),
                ids("health.compliance = 'compliant'", "d01"),
                ids("IS_ARRAY(health.reasons)", ALL.split(",")),
                ids("version = 1", "d01", "d03", "d04", "d05", "d06", "d07", "d08"),
                ids("version > 1", "d02"),
                ids("version = '1'"),
                ids("deviceId IN ['d01', 'd05']", "d01", "d05"),
                ids("deviceId < 'd03'", "d01", "d02"),
                ids("STARTSWITH(deviceId, 'd0')", ALL.split(",")),
                ids("IS_DEFINED(deviceId) AND IS_STRING(status) AND NOT IS_NUMBER(status)", ALL.split(",")),
                // AND, OR, NOT with undefined
                ids("tags.zone = 'a' OR tags.zone = 'b'", "d01", "d02", "d07"),
                ids("(tags.zone = 'a' OR tags.floor = 2) AND NOT tags.site = 'plant-5'", "d01", "d03"),
                ids("NOT (tags.zone = 'a' AND tags.floor = 2)", "d02"),
                ids("NOT (tags.zone = 'a' OR tags.floor = 2)"),
                ids("NOT NOT tags.zone = 'a'", "d01", "d07"),
                ids("NOT (NOT tags.zone = 'a' OR tags.zone = 'b')", "d01", "d07"),
                ids("tags.site = 'plant-3' AND (tags.zone = 'b' OR NOT tags.active = true)", "d02"),
                // ordering (ties by device id)
                rows("SELECT deviceId FROM devices ORDER BY tags.sym",
                        idRows("d01", "d02", "d03", "d04", "d07", "d08", "d05", "d06")),
                rows("SELECT deviceId FROM devices ORDER BY tags.floor DESC",
                        idRows("d02", "d01", "d03", "d04", "d05", "d06", "d07", "d08")),
                rows("SELECT TOP 2 deviceId FROM devices WHERE tags.site = 'plant-3' ORDER BY deviceId DESC", idRows("d06", "d02")),
                rows("SELECT deviceId FROM devices ORDER BY properties.reported.battery ASC",
                        idRows("d04", "d05", "d08", "d03", "d06", "d02", "d01", "d07")),
                rows("SELECT deviceId FROM devices ORDER BY tags.active, deviceId DESC",
                        idRows("d08", "d07", "d06", "d05", "d04", "d03", "d02", "d01")),
                rows("SELECT deviceId FROM devices ORDER BY lastActivityTime DESC, health.risk",
                        idRows("d03", "d01", "d04", "d05", "d06", "d07", "d08", "d02")),
                rows("SELECT TOP 3 deviceId FROM devices", idRows("d01", "d02", "d03")),
                // projections
                rows("SELECT deviceId, tags.site AS s, properties.reported.fw FROM devices WHERE deviceId = 'd03'",
                        "[{\"deviceId\":\"d03\",\"s\":\"plant-4\",\"fw\":\"legacy\"}]"),
                rows("SELECT properties.reported, health.risk, lastActivityTime FROM devices WHERE deviceId = 'd04'",
                        "[{\"reported\":{\"$version\":1},\"risk\":null,\"lastActivityTime\":null}]"),
                rows("SELECT tags['ключ'], tags.zone FROM devices WHERE tags.site = 'Plant-3'", "[{\"ключ\":\"значение\"}]"),
                rows("SELECT health.compliance AS c, capabilities FROM devices WHERE deviceId = 'd07'",
                        "[{\"c\":\"unknown\",\"capabilities\":{\"gateway\":true}}]"),
                // counts and groups
                rows("SELECT COUNT() AS n FROM devices WHERE tags.site = 'plant-3'", "[{\"n\":3}]"),
                rows("SELECT COUNT() FROM devices", "[{\"count\":8}]"),
                rows("SELECT COUNT() AS n FROM devices WHERE tags.site = 'nowhere'", "[{\"n\":0}]"),
                rows("SELECT COUNT() AS n, tags.site FROM devices GROUP BY tags.site",
                        "[{\"n\":1},{\"n\":1,\"site\":\"Plant-3\"},{\"n\":1,\"site\":\"it's\"},{\"n\":3,\"site\":\"plant-3\"},"
                                + "{\"n\":1,\"site\":\"plant-4\"},{\"n\":1,\"site\":\"plant-5\"}]"),
                rows("SELECT COUNT() AS n, tags.floor FROM devices GROUP BY tags.floor",
                        "[{\"n\":5},{\"n\":2,\"floor\":2},{\"n\":1,\"floor\":\"2\"}]"),
                rows("SELECT COUNT() AS n, status, connectionState AS c FROM devices GROUP BY status, connectionState",
                        "[{\"n\":1,\"status\":\"disabled\",\"c\":\"connected\"},{\"n\":1,\"status\":\"disabled\",\"c\":\"disconnected\"},"
                                + "{\"n\":6,\"status\":\"enabled\",\"c\":\"connected\"}]"),
                rows("SELECT COUNT() AS n, tags.meta FROM devices WHERE tags.site = 'plant-3' GROUP BY tags.meta", "[{\"n\":3}]"),
                rows("SELECT TOP 2 COUNT() AS n, properties.reported.battery AS b FROM devices GROUP BY properties.reported.battery",
                        "[{\"n\":3},{\"n\":1,\"b\":null}]"),
                rows("SELECT COUNT() AS n, tags.active, health.risk FROM devices WHERE IS_DEFINED(tags.active) GROUP BY tags.active, health.risk",
                        "[{\"n\":1,\"active\":false,\"risk\":0.9},{\"n\":1,\"active\":true,\"risk\":0.2}]"),
                rows("SELECT tags.zone FROM devices GROUP BY tags.zone", "[{},{\"zone\":\"a\"},{\"zone\":\"b\"}]"));
    }

    private static String idRows(String... ids) {
        return Arrays.stream(ids).map(id -> "{\"deviceId\":\"" + id + "\"}").reduce((a, b) -> a + "," + b).map(s -> "[" + s + "]").orElse("[]");
    }

    @TestFactory
    Stream<DynamicContainer> everyCase_onEveryEngine() {
        List<TestFleet.Device> devices = devices();
        List<JsonNode> twins = TestFleet.twins(devices);
        Function<String, List<JsonNode>> evaluator = q -> ReferenceEvaluator.run(QueryParser.parse(q), twins);
        return cases().stream().map(c -> DynamicContainer.dynamicContainer(c.query(), Stream.of(
                DynamicTest.dynamicTest("evaluator", () -> check(c, evaluator.apply(c.query()))),
                DynamicTest.dynamicTest("sqlite", () -> check(c, run(TestDatabases.Kind.SQLITE, devices, c.query()))),
                DynamicTest.dynamicTest("postgresql", () -> check(c, run(TestDatabases.Kind.POSTGRESQL, devices, c.query()))))));
    }

    private static List<JsonNode> run(TestDatabases.Kind kind, List<TestFleet.Device> devices, String query) {
        Database db = databases.computeIfAbsent(kind, k -> {
            Database d = TestFleet.open(k, dir.resolve(k.name()));
            TestFleet.insert(d, devices);
            return d;
        });
        return TestFleet.all(new JdbcDeviceQueries(db, TestFleet.KEY), query, 3);
    }

    private static void check(Case c, List<JsonNode> rows) {
        if (c.query().startsWith("SELECT * ")) {
            List<String> ids = rows.stream().map(r -> r.get("deviceId").asText()).toList();
            List<String> expected = c.expected().isEmpty() ? List.of() : List.of(c.expected().split(","));
            assertThat(ids).as(c.query()).isEqualTo(expected);
        } else {
            assertThat(JsonComparison.normalize(rows)).as(c.query()).isEqualTo(JsonComparison.normalize(json(c.expected())));
        }
    }

    @AfterAll
    static void close() {
        for (Database db : databases.values()) {
            TestFleet.drop(db);
            db.close();
        }
    }
}
