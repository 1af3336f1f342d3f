package dev.holdfast.store;

/**
 * The SQL databases Holdfast runs on. SQLite is the embedded default; PostgreSQL is for production
 * and scale-out. Migrations and queries use the small set of differences named here.
 */
public enum Dialect {
    SQLITE("BLOB", "INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT"),
    POSTGRESQL("BYTEA", "BIGSERIAL PRIMARY KEY", "JSONB");

    private final String blobType;
    private final String autoIncrementKey;
    private final String jsonType;

    Dialect(String blobType, String autoIncrementKey, String jsonType) {
        this.blobType = blobType;
        this.autoIncrementKey = autoIncrementKey;
        this.jsonType = jsonType;
    }

    /** Column type for JSON documents: TEXT read with json_extract on SQLite, JSONB on PostgreSQL. */
    public String jsonType() {
        return jsonType;
    }

    /** Column type for binary values (DER certificates, CRLs). */
    public String blobType() {
        return blobType;
    }

    /** Column definition of a 64-bit surrogate key assigned by the database. */
    public String autoIncrementKey() {
        return autoIncrementKey;
    }

    static Dialect fromJdbcUrl(String url) {
        if (url.startsWith("jdbc:sqlite:")) return SQLITE;
        if (url.startsWith("jdbc:postgresql:")) return POSTGRESQL;
        throw new IllegalArgumentException("store.jdbcUrl: " + url + " (expected: jdbc:sqlite:... or jdbc:postgresql:...)");
    }
}
