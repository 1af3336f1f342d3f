package dev.holdfast.registry.internal;

import dev.holdfast.store.Dialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * SQLite settings for the duration of one bulk job, on the connection the job holds, put back before
 * the connection returns to the pool:
 * <ul>
 *   <li>a page cache of 128 MiB: the default 2 MiB holds too little of the table and its indexes for a
 *       million-row load;</li>
 *   <li>temporary structures in memory;</li>
 *   <li>no checkpoints on the job's connection: a batch of a thousand devices writes more than the
 *       1,000 pages after which SQLite checkpoints by default, so the job would stop after every batch
 *       to copy the WAL into the database file and sync it. A checkpointer thread of the job's own does
 *       that instead, on another connection, while the job writes the next batches (a PASSIVE
 *       checkpoint never blocks the writer).</li>
 * </ul>
 * Durability is untouched: journal mode and {@code synchronous} stay what the store set (WAL, NORMAL),
 * so a committed batch survives a process crash like any other transaction, and checkpoints keep
 * running, only elsewhere. On PostgreSQL there is nothing to change.
 */
final class Pragmas {
    private static final Logger log = LoggerFactory.getLogger(Pragmas.class);
    private static final long BULK_CACHE_KIB = 128 * 1024;
    private static final long CHECKPOINT_INTERVAL_MS = 500;

    private final Connection c;
    private final Long cacheSize;
    private final Long tempStore;
    private final Long autoCheckpoint;
    private final Thread checkpointer;
    private volatile boolean done;

    private Pragmas(Connection c, Long cacheSize, Long tempStore, Long autoCheckpoint, DataSource pool) {
        this.c = c;
        this.cacheSize = cacheSize;
        this.tempStore = tempStore;
        this.autoCheckpoint = autoCheckpoint;
        this.checkpointer = pool == null ? null : Thread.ofPlatform().name("registry-import-checkpointer").daemon().start(() -> checkpoints(pool));
    }

    static Pragmas bulk(Connection c, Dialect dialect, DataSource pool) throws SQLException {
        if (dialect != Dialect.SQLITE) return new Pragmas(c, null, null, null, null);
        long cache = read(c, "cache_size");
        long temp = read(c, "temp_store");
        long checkpoint = read(c, "wal_autocheckpoint");
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA cache_size = -" + BULK_CACHE_KIB);
            s.execute("PRAGMA temp_store = MEMORY");
            s.execute("PRAGMA wal_autocheckpoint = 0");
        }
        return new Pragmas(c, cache, temp, checkpoint, pool);
    }

    private void checkpoints(DataSource pool) {
        try (Connection cp = pool.getConnection(); Statement s = cp.createStatement()) {
            while (!done) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(CHECKPOINT_INTERVAL_MS));
                try (ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
                    rs.next();
                }
            }
        } catch (SQLException e) {
            log.warn("bulk checkpointer stopped; the job's connection checkpoints again when the job ends", e);
        }
    }

    void restore() throws SQLException {
        if (cacheSize == null) return;
        done = true;
        try {
            checkpointer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA cache_size = " + cacheSize);
            s.execute("PRAGMA temp_store = " + tempStore);
            s.execute("PRAGMA wal_autocheckpoint = " + autoCheckpoint);
            s.execute("PRAGMA wal_checkpoint(PASSIVE)");
        }
    }

    private static long read(Connection c, String pragma) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
