package dev.holdfast.registry;

import dev.holdfast.events.SecurityEvent;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import dev.holdfast.testing.FakeClock;
import dev.holdfast.testing.TestDatabases;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A registry on SQLite in a temporary directory or on PostgreSQL in a schema of its own, with the
 * migrations run, a fake clock and the security events it emitted.
 */
final class RegistryFixture implements AutoCloseable {
    final Database db;
    final Registry registry;
    final FakeClock clock = new FakeClock(Instant.parse("2026-11-30T10:00:00Z"));
    final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    final Path dir;
    final StoreConfig config;

    private RegistryFixture(Database db, StoreConfig config, Path dir, int batchSize) {
        this.db = db;
        this.dir = dir;
        this.config = config;
        this.registry = Registry.open(db, events::add, clock, dir.resolve("registry"), batchSize).start();
    }

    static RegistryFixture open(TestDatabases.Kind kind, Path dir) {
        return open(kind, dir, Registry.DEFAULT_BATCH_SIZE);
    }

    static RegistryFixture open(TestDatabases.Kind kind, Path dir, int batchSize) {
        StoreConfig config = config(kind, dir, Optional.empty());
        Database db = Database.open(config);
        db.migrate("registry");
        return new RegistryFixture(db, config, dir, batchSize);
    }

    /** A new registry on the same database and directory, as after a restart. */
    RegistryFixture reopen(int batchSize) {
        Database again = Database.open(config);
        again.migrate("registry");
        return new RegistryFixture(again, config, dir, batchSize);
    }

    static StoreConfig config(TestDatabases.Kind kind, Path dir, Optional<String> schema) {
        if (kind == TestDatabases.Kind.SQLITE) return StoreConfig.embedded(dir);
        TestDatabases.requirePostgres();
        return new StoreConfig(dir, Optional.of(TestDatabases.POSTGRES_URL), Optional.of(TestDatabases.POSTGRES_USER), Optional.empty(),
                Optional.of(schema.orElseGet(TestDatabases::freshSchema)), 8);
    }

    /** Waits for a job to finish. */
    RegistryJob await(RegistryJob job) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        RegistryJob j = job;
        while (!j.isFinished()) {
            if (System.nanoTime() > deadline) throw new AssertionError("job did not finish: " + j);
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            j = registry.jobs().get(job.id());
        }
        return j;
    }

    DeviceRegistry devices() {
        return registry.devices();
    }

    List<String> activities() {
        return events.stream().map(SecurityEvent::activity).toList();
    }

    long rows(String table) {
        return db.withConnection(c -> {
            try (var ps = c.prepareStatement("SELECT COUNT(*) FROM " + table); var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public void close() {
        registry.close();
        db.close();
    }
}
