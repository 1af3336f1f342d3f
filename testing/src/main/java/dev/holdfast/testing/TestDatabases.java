package dev.holdfast.testing;

import org.junit.jupiter.api.Assumptions;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.UUID;

/**
 * The databases store tests run against: SQLite in a temporary directory, and PostgreSQL at
 * 127.0.0.1:5432 (trust auth, database {@code test}), where each test run gets a schema of its own.
 *
 * <p>PostgreSQL missing fails under {@code CI=true} and skips elsewhere, like every external tool.
 */
public final class TestDatabases {
    public static final String POSTGRES_URL = System.getenv().getOrDefault("HOLDFAST_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String POSTGRES_USER = System.getenv().getOrDefault("HOLDFAST_TEST_PG_USER", "postgres");

    private TestDatabases() {
    }

    public enum Kind { SQLITE, POSTGRESQL }

    public static List<Kind> all() {
        return List.of(Kind.SQLITE, Kind.POSTGRESQL);
    }

    /** A fresh schema name for one test. */
    public static String freshSchema() {
        return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    }

    /** Fails under CI, skips elsewhere, when PostgreSQL does not answer on 127.0.0.1:5432. */
    public static void requirePostgres() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 5432), 1000);
        } catch (Exception e) {
            String message = "PostgreSQL is not running at 127.0.0.1:5432 (.ci/run starts it)";
            if (ExternalTool.isCi()) throw new AssertionError("CI=true and " + message);
            Assumptions.abort(message);
        }
    }
}
