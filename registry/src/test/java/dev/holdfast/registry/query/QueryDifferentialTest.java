package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.store.Database;
import dev.holdfast.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SQL of each database must return exactly what the reference evaluator returns, for thousands
 * of random queries over a few thousand random devices: every operator and function, nested
 * AND/OR/NOT, type mismatches, missing members, projections, GROUP BY, ORDER BY and TOP, read
 * through pages of random size. Each query runs on SQLite and on PostgreSQL (when reachable, as in
 * every store test) against one evaluation. A failure prints the seed and the query; rerun a seed
 * with {@code -Dholdfast.query.seed=<seed>}.
 */
class QueryDifferentialTest {
    static final int DEVICES = 2_000;
    static final int QUERIES = 2_000;

    @TempDir
    Path dir;

    @Test
    void sqlOfBothDatabasesMatchesTheReferenceEvaluator() {
        long seed = Long.getLong("holdfast.query.seed", 20261130L);
        RandomFleet random = new RandomFleet(seed);
        List<TestFleet.Device> devices = random.devices(DEVICES);
        List<JsonNode> twins = TestFleet.twins(devices);
        Map<TestDatabases.Kind, Database> dbs = new EnumMap<>(TestDatabases.Kind.class);
        Map<TestDatabases.Kind, JdbcDeviceQueries> engines = new EnumMap<>(TestDatabases.Kind.class);
        Map<TestDatabases.Kind, Long> nanos = new EnumMap<>(TestDatabases.Kind.class);
        try {
            for (TestDatabases.Kind kind : TestDatabases.all()) {
                Database db;
                try {
                    db = TestFleet.open(kind, dir.resolve(kind.name()));
                } catch (TestAbortedException noPostgres) {
                    continue;
                }
                dbs.put(kind, db);
                TestFleet.insert(db, devices);
                engines.put(kind, new JdbcDeviceQueries(db, TestFleet.KEY,
                        List.of("tags.site", "tags.zone", "properties.reported.fw.version", "tags.meta.owner")));
                nanos.put(kind, 0L);
            }
            Random pages = new Random(seed);
            List<String> failures = new ArrayList<>();
            EnumSet<SqlStatement.Shape> shapes = EnumSet.noneOf(SqlStatement.Shape.class);
            int nonEmpty = 0;
            long evaluator = 0;
            for (int i = 0; i < QUERIES && failures.size() < 5; i++) {
                FleetQuery q = random.query();
                String text = QueryText.of(q);
                assertThat(QueryParser.parse(text)).as(text).isEqualTo(q);
                long t0 = System.nanoTime();
                List<JsonNode> expected = ReferenceEvaluator.run(q, twins);
                evaluator += System.nanoTime() - t0;
                // Small pages sometimes, but at most ~8 of them: each page is a query of its own.
                int pageSize = pages.nextInt(8) == 0 ? Math.max(1 + pages.nextInt(40), expected.size() / 8) : 1000;
                for (Map.Entry<TestDatabases.Kind, JdbcDeviceQueries> e : engines.entrySet()) {
                    long t1 = System.nanoTime();
                    List<JsonNode> actual;
                    try {
                        actual = TestFleet.all(e.getValue(), text, pageSize);
                    } catch (RuntimeException ex) {
                        failures.add(e.getKey() + " #" + i + " " + text + "\n  threw " + ex);
                        continue;
                    }
                    nanos.merge(e.getKey(), System.nanoTime() - t1, Long::sum);
                    if (!JsonComparison.sameRows(actual, expected)) {
                        failures.add(e.getKey() + " #" + i + " " + text + " (pageSize " + pageSize + ")\n  expected " + expected.size()
                                + " rows: " + excerpt(expected) + "\n  actual   " + actual.size() + " rows: " + excerpt(actual));
                    }
                }
                if (!expected.isEmpty()) nonEmpty++;
                shapes.add(q.isCountOnly() ? SqlStatement.Shape.COUNT : q.isGrouped() ? SqlStatement.Shape.GROUPS : SqlStatement.Shape.ROWS);
            }
            System.out.printf("differential, seed %d: %d queries over %d devices; evaluator %d ms, SQL %s%n", seed, QUERIES, DEVICES,
                    evaluator / 1_000_000, nanos.entrySet().stream().map(e -> e.getKey() + " " + e.getValue() / 1_000_000 + " ms").toList());
            assertThat(failures).as("seed " + seed).isEmpty();
            assertThat(engines).as("databases reached").isNotEmpty();
            assertThat(shapes).containsExactlyInAnyOrder(SqlStatement.Shape.values());
            assertThat(nonEmpty).as("queries with results").isGreaterThan(QUERIES / 3);
        } finally {
            for (Database db : dbs.values()) {
                TestFleet.drop(db);
                db.close();
            }
        }
    }

    private static String excerpt(List<JsonNode> rows) {
        String s = rows.subList(0, Math.min(rows.size(), 3)).toString();
        return s.length() > 1500 ? s.substring(0, 1500) + "..." : s;
    }
}
