package dev.holdfast.store;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the store keeps its data.
 *
 * @param dataDir  the server's data directory; the embedded SQLite file lives at {@code dataDir/holdfast.db}
 * @param jdbcUrl  a PostgreSQL (or SQLite) JDBC URL; when empty the embedded SQLite database is used
 * @param username database user, when the URL needs one
 * @param password database password, when the URL needs one; read from a file by the caller, never logged
 * @param schema   PostgreSQL schema to use (created when missing); empty means the connection default.
 *                 Tests give each run its own schema.
 * @param poolSize maximum pooled connections (SQLite: one writer at a time regardless)
 */
public record StoreConfig(Path dataDir, Optional<String> jdbcUrl, Optional<String> username,
                          Optional<String> password, Optional<String> schema, int poolSize) {
    public StoreConfig {
        if (dataDir == null) throw new IllegalArgumentException("dataDir: null (expected: a directory)");
        jdbcUrl = jdbcUrl == null ? Optional.empty() : jdbcUrl;
        username = username == null ? Optional.empty() : username;
        password = password == null ? Optional.empty() : password;
        schema = schema == null ? Optional.empty() : schema;
        if (poolSize < 1 || poolSize > 64) throw new IllegalArgumentException("poolSize: " + poolSize + " (expected: 1..64)");
        schema.ifPresent(s -> {
            if (!s.matches("[a-z_][a-z0-9_]{0,62}")) throw new IllegalArgumentException("schema: " + s + " (expected: [a-z_][a-z0-9_]*)");
        });
    }

    /** The embedded default: SQLite under {@code dataDir}. */
    public static StoreConfig embedded(Path dataDir) {
        return new StoreConfig(dataDir, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), 8);
    }

    @Override
    public String toString() {
        return "StoreConfig[dataDir=" + dataDir + ", jdbcUrl=" + jdbcUrl.orElse("(embedded)") + ", username="
                + username.orElse("") + ", password=" + (password.isPresent() ? "****" : "") + ", schema="
                + schema.orElse("") + ", poolSize=" + poolSize + "]";
    }
}
