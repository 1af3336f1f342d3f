package dev.holdfast.bench.registry;

import dev.holdfast.registry.query.DeviceQueries;
import dev.holdfast.registry.query.JdbcDeviceQueries;
import dev.holdfast.store.Database;
import dev.holdfast.store.Dialect;
import dev.holdfast.store.StoreConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Query latency of the fleet query language on 1,000,000 devices (issue 3, "Performance"): loads the
 * devices into SQLite and, when it answers on 127.0.0.1:5432, PostgreSQL, by batched INSERTs, creates
 * the query indexes ({@link JdbcDeviceQueries} does, for its default hot paths), then runs each
 * workload with concurrent clients for a fixed time and prints p50/p99 latency and queries/s:
 * <ul>
 *   <li>(a) tag equality, first page of 100: {@code SELECT * FROM devices WHERE tags.site = 'plant-N'};</li>
 *   <li>(b) tag equality and a reported property range, first page of 100: the issue's example,
 *       {@code ... WHERE tags.site = 'plant-N' AND properties.reported.fw.version < '2.1'};</li>
 *   <li>(c) a GROUP BY count over the whole fleet:
 *       {@code SELECT COUNT() AS n, properties.reported.fw.version FROM devices GROUP BY properties.reported.fw.version};</li>
 *   <li>(c') the same count for one site, {@code ... WHERE tags.site = 'plant-N' GROUP BY ...}, for comparison.</li>
 * </ul>
 * Each client runs queries back to back; a query is timed from {@code execute} to its page in hand
 * (parse, compile, SQL, rows mapped to JSON twins, continuation token). Before the first measurement
 * the JVM is warmed on (a) and (b), then each workload gets its own warm-up before it is measured.
 *
 * <pre>
 * java -cp "bench/target/holdfast-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" dev.holdfast.bench.registry.QueryLatencyHarness \
 *   [--devices 1000000] [--seconds 20] [--warmup 5] [--clients 8] [--pool clients+2] [--max-concurrent N (0 = no limit; default: the product default)] [--sqlite-only] [--data-dir DIR] [--pg-schema NAME]
 * </pre>
 * With {@code --data-dir} (SQLite) or {@code --pg-schema} (PostgreSQL) the database is kept, and
 * reused without loading when it already holds the number of devices asked for.
 */
public final class QueryLatencyHarness {
    static final int SITES = 100;
    static final String[] VERSIONS = {"1.8.0", "1.9.2", "2.0.0", "2.0.1", "2.1.0", "2.1.3", "2.2.0", "2.3.1", "3.0.0", "10.0.1"};
    static final String[] MODELS = {"meter-a", "meter-b", "gateway-x", "valve-3", "sensor-t"};
    static final byte[] KEY = "bench continuation key, 32 bytes".getBytes(StandardCharsets.US_ASCII);

    private QueryLatencyHarness() {
    }

    public static void main(String[] args) throws Exception {
        int devices = intArg(args, "--devices", 1_000_000);
        int seconds = intArg(args, "--seconds", 20);
        int warmup = intArg(args, "--warmup", 5);
        int clients = intArg(args, "--clients", 8);
        int pool = intArg(args, "--pool", clients + 2);
        maxConcurrent = intArg(args, "--max-concurrent", -1);
        boolean sqliteOnly = Arrays.asList(args).contains("--sqlite-only");
        Optional<String> dataDir = arg(args, "--data-dir");
        Optional<String> pgSchema = arg(args, "--pg-schema");

        System.out.printf(Locale.ROOT, "machine: %d processors, %s %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"), Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf(Locale.ROOT, "%,d devices, %d sites, %d clients, %d pooled connections, %d s per workload after %d s warm-up;"
                + " load average %s%n%n", devices, SITES, clients, pool, seconds, warmup, loadAverage());

        List<String> table = new ArrayList<>();
        Path tmp = dataDir.isPresent() ? Path.of(dataDir.get()) : Files.createTempDirectory("holdfast-query-bench");
        try (Database db = Database.open(new StoreConfig(tmp, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), pool))) {
            table.addAll(run(db, "SQLite", devices, seconds, warmup, clients));
        } finally {
            if (dataDir.isEmpty()) deleteTree(tmp);
        }
        if (!sqliteOnly && postgresReachable()) {
            String schema = pgSchema.orElse("bench_query_" + Long.toHexString(System.nanoTime()));
            StoreConfig pg = new StoreConfig(tmp, Optional.of("jdbc:postgresql://127.0.0.1:5432/test?reWriteBatchedInserts=true"),
                    Optional.of("postgres"), Optional.empty(), Optional.of(schema), pool);
            try (Database db = Database.open(pg)) {
                try {
                    table.addAll(run(db, "PostgreSQL", devices, seconds, warmup, clients));
                } finally {
                    if (pgSchema.isEmpty()) execute(db, "DROP SCHEMA " + schema + " CASCADE");
                }
            }
        } else if (!sqliteOnly) {
            System.out.println("PostgreSQL not reachable at 127.0.0.1:5432: skipped");
        }
        System.out.println();
        System.out.println("| database | workload | queries | queries/s | p50 | p99 | max | rows per query | harness CPU per query |"
                + " load average after |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        table.forEach(System.out::println);
    }

    private static int maxConcurrent = -1;

    private static List<String> run(Database db, String name, int devices, int seconds, int warmup, int clients) throws Exception {
        db.migrate("registry");
        System.out.printf(Locale.ROOT, "== %s %s%n", name, version(db));
        int present = count(db);
        if (present != devices) {
            if (present != 0) throw new IllegalStateException(name + " holds " + present + " devices, not " + devices + "; use an empty one");
            long t0 = System.nanoTime();
            load(db, devices);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "loaded %,d devices in %.1f s (%,.0f devices/s, batched INSERT, no query indexes yet)%n", devices, s,
                    devices / s);
            if (db.dialect() == Dialect.POSTGRESQL) execute(db, "VACUUM ANALYZE device");
        } else {
            System.out.printf(Locale.ROOT, "reusing %,d devices%n", present);
        }
        long t1 = System.nanoTime();
        int admission = maxConcurrent >= 0 ? maxConcurrent : JdbcDeviceQueries.defaultConcurrency(db);
        System.out.printf(Locale.ROOT, "%s: at most %s queries at once%n", name, admission == 0 ? "unlimited" : admission);
        JdbcDeviceQueries queries = new JdbcDeviceQueries(db, KEY, dev.holdfast.registry.query.QueryIndexes.DEFAULT_HOT_PATHS, admission);
        System.out.printf(Locale.ROOT, "query indexes %s ready in %.1f s%n", queries.indexes(), (System.nanoTime() - t1) / 1e9);

        List<Workload> workloads = List.of(
                new Workload("(a) tag equality, page of 100", 100, site -> "SELECT * FROM devices WHERE tags.site = 'plant-" + site + "'"),
                new Workload("(b) tag equality + reported range, page of 100", 100,
                        site -> "SELECT * FROM devices WHERE tags.site = 'plant-" + site + "' AND properties.reported.fw.version < '2.1'"),
                new Workload("(c) GROUP BY count, whole fleet", 1000,
                        site -> "SELECT COUNT() AS n, properties.reported.fw.version FROM devices GROUP BY properties.reported.fw.version"),
                new Workload("(c') GROUP BY count, one site", 1000, site -> "SELECT COUNT() AS n, properties.reported.fw.version FROM devices"
                        + " WHERE tags.site = 'plant-" + site + "' GROUP BY properties.reported.fw.version"));
        // Warm the JVM (JIT, heap sizing) on the page workloads first, so that (a), measured first,
        // does not pay for the start-up pauses that (b) would then escape.
        measure(queries, workloads.get(0), clients, warmup, false);
        measure(queries, workloads.get(1), clients, warmup, false);
        List<String> rows = new ArrayList<>();
        for (Workload w : workloads) {
            DeviceQueries.QueryPage sample = queries.execute(w.query().apply(7), Optional.empty(), w.pageSize());
            System.out.printf(Locale.ROOT, "%s: %s -> %d rows%n", w.name(), w.query().apply(7), sample.rows().size());
            measure(queries, w, clients, warmup, false);
            Result r = measure(queries, w, clients, seconds, true);
            String line = String.format(Locale.ROOT, "| %s | %s | %,d | %,.0f | %.1f ms | %.1f ms | %.1f ms | %.0f | %.2f ms | %s |", name,
                    w.name(), r.count(), r.count() / r.seconds(), r.percentile(0.50), r.percentile(0.99), r.percentile(1.0), r.rowsPerQuery(),
                    r.cpuPerQuery(), loadAverage());
            System.out.println(line);
            rows.add(line);
        }
        return rows;
    }

    record Workload(String name, int pageSize, IntFunction<String> query) {
    }

    /**
     * @param cpuPerQuery CPU time of this process (clients, JDBC, SQLite when embedded; not the
     *                    PostgreSQL server) per query, in ms: what a query costs regardless of how
     *                    busy the machine is
     */
    record Result(long[] nanos, int count, double seconds, double rowsPerQuery, double cpuPerQuery) {
        double percentile(double p) {
            if (count == 0) return Double.NaN;
            int i = (int) Math.min(count - 1, Math.max(0, Math.ceil(p * count) - 1));
            return nanos[i] / 1e6;
        }
    }

    private static Result measure(JdbcDeviceQueries queries, Workload w, int clients, int seconds, boolean keep) throws Exception {
        long[][] samples = new long[clients][];
        int[] counts = new int[clients];
        long[] rows = new long[clients];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        long[] window = new long[2];
        for (int c = 0; c < clients; c++) {
            int me = c;
            threads.add(Thread.ofPlatform().name("client-" + c).start(() -> {
                SplittableRandom random = new SplittableRandom(me * 7919L + 1);
                long[] mine = new long[1 << 16];
                int n = 0;
                long r = 0;
                try {
                    start.await();
                    long end = window[1];
                    while (System.nanoTime() < end) {
                        String q = w.query().apply(random.nextInt(SITES));
                        long t0 = System.nanoTime();
                        DeviceQueries.QueryPage page = queries.execute(q, Optional.empty(), w.pageSize());
                        long t = System.nanoTime() - t0;
                        r += page.rows().size();
                        if (n == mine.length) mine = Arrays.copyOf(mine, n * 2);
                        mine[n++] = t;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                samples[me] = mine;
                counts[me] = n;
                rows[me] = r;
            }));
        }
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        window[0] = System.nanoTime();
        window[1] = window[0] + seconds * 1_000_000_000L;
        start.countDown();
        for (Thread t : threads) t.join();
        double elapsed = (System.nanoTime() - window[0]) / 1e9;
        long cpu = os.getProcessCpuTime() - cpu0;
        if (failure.get() != null) throw new IllegalStateException(w.name() + " failed", failure.get());
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(samples[c], 0, all, at, counts[c]);
            at += counts[c];
        }
        Arrays.sort(all);
        return new Result(keep ? all : new long[0], keep ? total : 0, elapsed, total == 0 ? 0 : (double) Arrays.stream(rows).sum() / total,
                total == 0 ? 0 : cpu / 1e6 / total);
    }

    /** Devices with realistic tags and reported properties; values drawn from a fixed seed. */
    static void load(Database db, int devices) {
        boolean pg = db.dialect() == Dialect.POSTGRESQL;
        String json = pg ? "CAST(? AS jsonb)" : "?";
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO device_model (id, manufacturer, model, created_at, updated_at)"
                    + " VALUES (?, 'Acme', ?, 1700000000000, 1700000000000)")) {
                for (String m : MODELS) {
                    ps.setString(1, m);
                    ps.setString(2, m);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
        SplittableRandom random = new SplittableRandom(42);
        int batch = 5_000;
        for (int from = 0; from < devices; from += batch) {
            int first = from;
            int last = Math.min(devices, from + batch);
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO device (id, hub, status, status_reason, lifecycle, auth_type,"
                        + " auth_thumbprints, parent_id, model_id, capabilities, tags, tags_version, desired, desired_version, reported,"
                        + " reported_version, twin_metadata, connection_state, last_activity, health_compliance, health_risk, health_reasons,"
                        + " created_at, updated_at, version) VALUES (?, ?, ?, NULL, 'active', 'certificate', " + json + ", NULL, ?, " + json
                        + ", " + json + ", 1, " + json + ", 1, " + json + ", ?, '{}', ?, ?, ?, ?, '[]', 1700000000000, 1700000000000, 1)")) {
                    for (int i = first; i < last; i++) {
                        int site = random.nextInt(SITES);
                        int version = random.nextInt(VERSIONS.length);
                        int reportedVersion = 1 + random.nextInt(50);
                        ps.setString(1, String.format("dev-%07d", i));
                        ps.setString(2, "hub-" + (site % 4) + ".plant.example");
                        ps.setString(3, random.nextInt(50) == 0 ? "disabled" : "enabled");
                        ps.setString(4, "[\"" + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()) + "\"]");
                        ps.setString(5, MODELS[random.nextInt(MODELS.length)]);
                        ps.setString(6, "{\"gateway\":" + (random.nextInt(100) == 0) + "}");
                        ps.setString(7, "{\"site\":\"plant-" + site + "\",\"zone\":\"z" + random.nextInt(12) + "\",\"tier\":\""
                                + (random.nextInt(4) == 0 ? "gold" : "standard") + "\",\"floor\":" + random.nextInt(6) + ",\"owner\":\"team-"
                                + random.nextInt(30) + "\"}");
                        ps.setString(8, "{\"fw\":{\"version\":\"" + VERSIONS[Math.min(VERSIONS.length - 1, version + random.nextInt(2))]
                                + "\"},\"telemetryInterval\":" + (30 * (1 + random.nextInt(4))) + "}");
                        ps.setString(9, "{\"fw\":{\"version\":\"" + VERSIONS[version] + "\",\"slot\":\"" + (random.nextBoolean() ? "a" : "b")
                                + "\"},\"battery\":" + random.nextInt(101) + ",\"temperature\":" + (random.nextInt(600) / 10.0)
                                + ",\"rssi\":" + (-40 - random.nextInt(60)) + ",\"uptime\":" + random.nextInt(10_000_000) + "}");
                        ps.setLong(10, reportedVersion);
                        ps.setString(11, random.nextInt(5) == 0 ? "disconnected" : "connected");
                        ps.setLong(12, 1_760_000_000_000L + random.nextInt(1_000_000_000));
                        ps.setString(13, random.nextInt(10) == 0 ? "non-compliant" : "compliant");
                        ps.setDouble(14, random.nextInt(100) / 100.0);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
        }
    }

    private static int count(Database db) {
        return db.withConnection(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM device")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    private static String version(Database db) {
        return db.withConnection(c -> {
            String sql = db.dialect() == Dialect.SQLITE ? "SELECT 'version ' || sqlite_version()" : "SELECT version()";
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getString(1);
            }
        });
    }

    private static void execute(Database db, String sql) {
        db.withConnection(c -> {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
            return null;
        });
    }

    /** The 1-minute load average (Linux), to judge how much of the machine the run had. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static boolean postgresReachable() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 5432), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<String> arg(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(name)) return Optional.of(args[i + 1]);
        return Optional.empty();
    }

    private static int intArg(String[] args, String name, int fallback) {
        return arg(args, name).map(Integer::parseInt).orElse(fallback);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

}
