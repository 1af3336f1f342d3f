package dev.holdfast.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The connection pool and migrations for one Holdfast database.
 *
 * <p>Every module owns its tables and its migrations: {@link #migrate(String)} runs the scripts under
 * {@code classpath:db/<module>/} with a history table of that module's own, so modules evolve their
 * schemas independently. Scripts may use the placeholders {@code ${blob}}, {@code ${json}} and {@code ${autoKey}}
 * for the few types SQLite and PostgreSQL spell differently.
 *
 * <p>SQLite runs in WAL mode with {@code synchronous=NORMAL}: readers never block the writer, and a
 * committed transaction survives a process crash (an OS crash may lose the last transactions, which
 * is the trade-off SQLite documents for WAL + NORMAL).
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource pool;
    private final Dialect dialect;
    private final String schema;
    /** SQLite only: queues this process's transactions for SQLite's single write lock. */
    private final ReentrantLock writeLock;
    /** Per database, not static: a thread may work in transactions on two databases at once. */
    private final ThreadLocal<Transaction> current = new ThreadLocal<>();

    private Database(HikariDataSource pool, Dialect dialect, String schema) {
        this.pool = pool;
        this.dialect = dialect;
        this.schema = schema;
        this.writeLock = dialect == Dialect.SQLITE ? new ReentrantLock() : null;
    }

    public static Database open(StoreConfig config) {
        String url = config.jdbcUrl().orElseGet(() -> "jdbc:sqlite:" + config.dataDir().resolve("holdfast.db").toAbsolutePath());
        Dialect dialect = Dialect.fromJdbcUrl(url);
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setPoolName("holdfast-store");
        config.username().ifPresent(hc::setUsername);
        config.password().ifPresent(hc::setPassword);
        String schema = config.schema().orElse(null);
        if (dialect == Dialect.SQLITE) {
            try {
                Files.createDirectories(config.dataDir());
            } catch (IOException e) {
                throw new StoreException("cannot create data directory " + config.dataDir(), e);
            }
            hc.addDataSourceProperty("journal_mode", "WAL");
            hc.addDataSourceProperty("synchronous", "NORMAL");
            hc.addDataSourceProperty("busy_timeout", "10000");
            hc.addDataSourceProperty("foreign_keys", "true");
            hc.setConnectionInitSql("PRAGMA journal_mode=WAL");
            hc.setMaximumPoolSize(config.poolSize());
        } else {
            hc.setMaximumPoolSize(config.poolSize());
            if (schema != null) {
                createSchema(url, config, schema);
                hc.setSchema(schema);
            }
        }
        HikariDataSource ds = new HikariDataSource(hc);
        log.info("store opened: {} ({})", dialect, redact(url));
        return new Database(ds, dialect, schema);
    }

    private static void createSchema(String url, StoreConfig config, String schema) {
        try (HikariDataSource once = new HikariDataSource(bootstrapConfig(url, config));
             Connection c = once.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + schema); // validated identifier, see StoreConfig
        } catch (SQLException e) {
            throw new StoreException("cannot create schema " + schema + " at " + redact(url), e);
        }
    }

    private static HikariConfig bootstrapConfig(String url, StoreConfig config) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setMaximumPoolSize(1);
        config.username().ifPresent(hc::setUsername);
        config.password().ifPresent(hc::setPassword);
        return hc;
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****");
    }

    /** Runs the migrations of one module ({@code classpath:db/<module>/V*.sql}). */
    public void migrate(String module) {
        if (!module.matches("[a-z]+")) throw new IllegalArgumentException("module: " + module + " (expected: [a-z]+)");
        var flyway = Flyway.configure(Database.class.getClassLoader())
                .dataSource(pool)
                .locations("classpath:db/" + module)
                .table("schema_history_" + module)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .placeholders(Map.of("blob", dialect.blobType(), "autoKey", dialect.autoIncrementKey(), "json", dialect.jsonType()))
                .failOnMissingLocations(true);
        if (schema != null) flyway.schemas(schema).defaultSchema(schema);
        var result = flyway.load().migrate();
        log.info("migrations for {}: {} applied, now at {}", module, result.migrationsExecuted, result.targetSchemaVersion);
    }

    public Dialect dialect() {
        return dialect;
    }

    public DataSource dataSource() {
        return pool;
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
     *
     * <p>The transaction belongs to the calling thread until it ends: {@link #withConnection} and
     * {@code inTransaction} called on this database from inside {@code work}, directly or through
     * another module (the event log appending an event about what {@code work} stored), join it on
     * the same connection rather than taking a second one, so the rows commit or roll back together.
     *
     * <p>On SQLite, which admits one writer at a time, transactions queue on an in-process lock before
     * they take a connection. Without it, concurrent writers collide inside SQLite and the loser sleeps
     * in the busy handler (1 ms, then 2, 5, ...) however soon the winner commits. Other processes on
     * the same file still meet the busy timeout.
     */
    public <T> T inTransaction(SqlWork<T> work) {
        Transaction outer = current.get();
        if (outer != null) return runJoined(outer.connection, work);
        Transaction tx;
        T result;
        if (writeLock != null) writeLock.lock();
        try (Connection c = pool.getConnection()) {
            tx = new Transaction(c);
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            current.set(tx);
            try {
                result = work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                current.remove();
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new StoreException("transaction failed: " + e.getMessage(), e);
        } finally {
            if (writeLock != null) writeLock.unlock();
        }
        tx.committed(); // outside the lock: the next writer need not wait for listeners
        return result;
    }

    /**
     * Runs read-only or single-statement work with auto-commit; inside {@link #inTransaction} on the
     * same thread, joins that transaction instead.
     */
    public <T> T withConnection(SqlWork<T> work) {
        Transaction outer = current.get();
        if (outer != null) return runJoined(outer.connection, work);
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException("query failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code action} once the calling thread's transaction on this database has committed, and
     * never if it rolls back; outside a transaction, runs it now. For telling others about rows only
     * once they are durable. An action that throws does not undo the commit; the exception reaches
     * the caller of {@link #inTransaction}.
     */
    public void afterCommit(Runnable action) {
        Transaction tx = current.get();
        if (tx == null) action.run();
        else tx.afterCommit.add(action);
    }

    private static <T> T runJoined(Connection c, SqlWork<T> work) {
        try {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException("query failed: " + e.getMessage(), e);
        }
    }

    /** The calling thread's open transaction. */
    private static final class Transaction {
        final Connection connection;
        final List<Runnable> afterCommit = new ArrayList<>(2);

        Transaction(Connection connection) {
            this.connection = connection;
        }

        void committed() {
            for (Runnable r : afterCommit) r.run();
        }
    }

    /** True when the database answers a trivial query; used by {@code /readyz}. */
    public boolean isReachable() {
        try (Connection c = pool.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
