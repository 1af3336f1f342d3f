package dev.holdfast.bench.registry;

import dev.holdfast.events.EventSink;
import dev.holdfast.registry.DeviceModel;
import dev.holdfast.registry.Registry;
import dev.holdfast.registry.RegistryJob;
import dev.holdfast.registry.query.JdbcDeviceQueries;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bulk import of a generated fleet into SQLite through the registry's bulk path (the same job the
 * REST API starts with {@code POST /api/v1/jobs/import}), and the same file again to show idempotence.
 *
 * <p>The fleet: {@code N} devices as JSON Lines, each with four tags (site, zone, line, customer) and
 * reported properties (firmware, battery, temperature, connectivity); one device in a thousand is a
 * gateway and one in ten sits behind the gateway before it; every device points at one of ten models.
 *
 * <pre>
 * java -cp "bench/target/holdfast-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" dev.holdfast.bench.registry.BulkImportHarness \
 *      [--devices 1000000] [--batch 1000] [--query-indexes] [--once] [--dir DIR]
 * </pre>
 * {@code --once} skips the second import. {@code --query-indexes} first creates the indexes the query engine maintains (as a running server
 * has them), so the import pays for them too. Exits 1 when a check fails.
 */
public final class BulkImportHarness {
    private BulkImportHarness() {
    }

    public static void main(String[] args) throws Exception {
        int devices = 1_000_000;
        int batch = Registry.DEFAULT_BATCH_SIZE;
        boolean queryIndexes = false;
        boolean again = true;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--devices" -> devices = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--query-indexes" -> queryIndexes = true;
                case "--once" -> again = false;
                case "--dir" -> dir = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: BulkImportHarness [--devices N] [--batch N] [--query-indexes] [--once] [--dir DIR]");
                    System.exit(2);
                }
            }
        }
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("holdfast-bulk");
        Path data = work.resolve("data");
        if (Files.exists(data.resolve("holdfast.db"))) {
            System.err.println(data + " already holds a database; give an empty --dir");
            System.exit(2);
        }
        AtomicLong events = new AtomicLong();
        EventSink sink = e -> events.incrementAndGet();
        try (Database db = Database.open(StoreConfig.embedded(data))) {
            db.migrate("registry");
            if (queryIndexes) {
                var q = new JdbcDeviceQueries(db, new byte[32]);
                System.out.println("query indexes: " + q.indexes());
            }
            try (Registry registry = Registry.open(db, sink, Clock.systemUTC(), data.resolve("registry"), batch).start()) {
                for (int m = 0; m < 10; m++) {
                    registry.models().create(new DeviceModel.Definition("model-" + m, "Acme", "Meter X" + m, Optional.of("rev" + (char) ('A' + m)),
                            Optional.of(LocalDate.of(2032, 1, 1)), Optional.of(LocalDate.of(2030, 6, 30))), "bench");
                }
                Path file = registry.jobs().importDirectory().resolve("fleet.jsonl");
                long t0 = System.nanoTime();
                generate(file, devices);
                long genMs = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf(Locale.ROOT, "generated %,d devices in %,d ms: %s, %,d bytes%n", devices, genMs, file, Files.size(file));

                Result first = importOnce(registry, file);
                long stored = count(db);
                System.out.printf(Locale.ROOT, "import 1: %,d lines in %,d ms (process CPU %,d ms) = %,.0f devices/s (created %,d, updated %,d, unchanged %,d, refused %,d)%n",
                        first.job.position(), first.millis, first.cpuMillis, first.perSecond(), first.job.counts().created(), first.job.counts().updated(),
                        first.job.counts().unchanged(), first.job.failed());
                if (!again) {
                    System.out.println(first.job.failed() == 0 && stored == devices ? "checks: OK" : "checks: FAILED");
                    return;
                }
                Result second = importOnce(registry, file);
                System.out.printf(Locale.ROOT, "import 2 (same file): %,d lines in %,d ms (process CPU %,d ms) = %,.0f lines/s (created %,d, updated %,d, unchanged %,d, refused %,d)%n",
                        second.job.position(), second.millis, second.cpuMillis, second.perSecond(), second.job.counts().created(), second.job.counts().updated(),
                        second.job.counts().unchanged(), second.job.failed());
                System.out.printf(Locale.ROOT, "devices stored: %,d; database %,d bytes; security events: %,d%n", stored,
                        Files.size(data.resolve("holdfast.db")), events.get());
                boolean ok = first.job.status() == RegistryJob.Status.COMPLETED && first.job.failed() == 0 && stored == devices
                        && first.job.counts().created() == devices && second.job.counts().unchanged() == devices && count(db) == devices;
                System.out.println(ok ? "checks: OK" : "checks: FAILED");
                System.out.printf(Locale.ROOT, "machine: %d CPUs, %s, max heap %,d MiB%n", Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.vm.name") + " " + Runtime.version(), Runtime.getRuntime().maxMemory() >> 20);
                if (!ok) System.exit(1);
            }
        }
    }

    record Result(RegistryJob job, long millis, long cpuMillis) {
        double perSecond() {
            return job.position() * 1000.0 / Math.max(1, millis);
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static Result importOnce(Registry registry, Path file) throws InterruptedException {
        long t0 = System.nanoTime();
        long cpu0 = cpuNanos();
        RegistryJob job = registry.jobs().importFile(file, "bench");
        long lastReport = System.nanoTime();
        while (!job.isFinished()) {
            Thread.sleep(50);
            job = registry.jobs().get(job.id());
            if (System.nanoTime() - lastReport > Duration.ofSeconds(10).toNanos()) {
                System.out.printf(Locale.ROOT, "  ... %,d lines%n", job.position());
                lastReport = System.nanoTime();
            }
        }
        return new Result(job, (System.nanoTime() - t0) / 1_000_000, (cpuNanos() - cpu0) / 1_000_000);
    }

    private static long count(Database db) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM device"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Writes the fleet; deterministic (seeded) so runs compare. */
    static void generate(Path file, int devices) throws IOException {
        SplittableRandom rnd = new SplittableRandom(20261130);
        String[] sites = {"plant-1", "plant-2", "plant-3", "plant-4", "plant-5", "depot-north", "depot-south", "hq"};
        String[] links = {"lte-m", "nb-iot", "wifi", "ethernet"};
        String gateway = null;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder b = new StringBuilder(512);
            for (int i = 0; i < devices; i++) {
                b.setLength(0);
                boolean isGateway = i % 1000 == 0;
                String id = (isGateway ? "gw-" : "meter-") + String.format(Locale.ROOT, "%07d", i);
                b.append("{\"deviceId\":\"").append(id).append("\",\"hub\":\"hub-").append(i % 4).append(".holdfast.example\"")
                        .append(",\"status\":\"enabled\",\"lifecycle\":\"active\",\"authentication\":{\"type\":\"ca\"}")
                        .append(",\"modelId\":\"model-").append(rnd.nextInt(10)).append('"');
                if (isGateway) b.append(",\"capabilities\":{\"gateway\":true}");
                else if (gateway != null && i % 10 == 1) b.append(",\"parentId\":\"").append(gateway).append('"');
                b.append(",\"tags\":{\"site\":\"").append(sites[rnd.nextInt(sites.length)]).append("\",\"zone\":\"z").append(rnd.nextInt(40))
                        .append("\",\"line\":{\"id\":").append(rnd.nextInt(12)).append("},\"customer\":\"cust-").append(rnd.nextInt(500)).append("\"}");
                b.append(",\"properties\":{\"reported\":{\"fw\":{\"version\":\"2.").append(rnd.nextInt(4)).append('.').append(rnd.nextInt(20))
                        .append("\"},\"battery\":").append(rnd.nextInt(101)).append(",\"temperature\":")
                        .append(String.format(Locale.ROOT, "%.1f", 15 + rnd.nextDouble() * 20))
                        .append(",\"connectivity\":{\"type\":\"").append(links[rnd.nextInt(links.length)]).append("\",\"rssi\":")
                        .append(-50 - rnd.nextInt(60)).append("}}}}\n");
                w.write(b.toString());
                if (isGateway) gateway = id;
            }
        }
    }
}
