package dev.holdfast.store;

import dev.holdfast.testing.TestDatabases;

import java.nio.file.Path;
import java.util.Optional;

/** Store configurations for tests: SQLite in a temp dir, or PostgreSQL with a schema of the test's own. */
public final class TestStores {
    private TestStores() {
    }

    public static StoreConfig config(TestDatabases.Kind kind, Path dir) {
        if (kind == TestDatabases.Kind.SQLITE) return StoreConfig.embedded(dir);
        TestDatabases.requirePostgres();
        return new StoreConfig(dir, Optional.of(TestDatabases.POSTGRES_URL), Optional.of(TestDatabases.POSTGRES_USER),
                Optional.empty(), Optional.of(TestDatabases.freshSchema()), 4);
    }
}
