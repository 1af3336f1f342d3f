package dev.holdfast.store;

import dev.holdfast.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void migrate_createsTablesWithDialectTypes_andIsIdempotent(TestDatabases.Kind kind) {
        try (Database db = Database.open(TestStores.config(kind, dir))) {
            db.migrate("storetest");
            db.migrate("storetest");
            long id = db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO widget (name, payload) VALUES (?, ?)")) {
                    ps.setString(1, "a");
                    ps.setBytes(2, new byte[]{1, 2, 3});
                    return (long) ps.executeUpdate();
                }
            });
            assertThat(id).isEqualTo(1);
            byte[] payload = db.withConnection(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT payload FROM widget WHERE name = 'a'")) {
                    rs.next();
                    return rs.getBytes(1);
                }
            });
            assertThat(payload).containsExactly(1, 2, 3);
            assertThat(db.isReachable()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void inTransaction_rollsBackEverythingWhenWorkFails(TestDatabases.Kind kind) {
        try (Database db = Database.open(TestStores.config(kind, dir))) {
            db.migrate("storetest");
            assertThatThrownBy(() -> db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO widget (name) VALUES (?)")) {
                    ps.setString(1, "dup");
                    ps.executeUpdate();
                    ps.executeUpdate(); // unique violation
                }
                return null;
            })).isInstanceOf(StoreException.class);
            int count = db.withConnection(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM widget")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertThat(count).isZero();
        }
    }

    @org.junit.jupiter.api.Test
    void sqlite_runsInWalMode() {
        try (Database db = Database.open(StoreConfig.embedded(dir))) {
            String mode = db.withConnection(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertThat(mode).isEqualToIgnoringCase("wal");
            assertThat(db.dialect()).isEqualTo(Dialect.SQLITE);
        }
    }

    @org.junit.jupiter.api.Test
    void config_rejectsUnsafeSchemaName() {
        assertThatThrownBy(() -> new StoreConfig(dir, java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Optional.of("x; DROP TABLE y"), 2))
                .hasMessageContaining("schema");
    }
}
