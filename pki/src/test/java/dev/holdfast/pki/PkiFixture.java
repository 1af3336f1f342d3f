package dev.holdfast.pki;

import dev.holdfast.events.EventQuery;
import dev.holdfast.events.StoredEvent;
import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.pki.internal.Pkcs12KeyBackend;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import dev.holdfast.testing.TestDatabases;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** A real PKI on a real store in a temporary directory: SQLite, or PostgreSQL with a schema of its own. */
public final class PkiFixture implements AutoCloseable {
    public final Path dir;
    public final Database db;
    public final JdbcEventLog events;
    public final Pki pki;

    private PkiFixture(Path dir, TestDatabases.Kind kind, Clock clock, Collection<X509Certificate> manufacturerCas) {
        this.dir = dir;
        StoreConfig config = kind == TestDatabases.Kind.SQLITE ? StoreConfig.embedded(dir) : postgres(dir);
        this.db = Database.open(config);
        this.events = new JdbcEventLog(db);
        PkiSettings settings = PkiSettings.defaults(URI.create("https://127.0.0.1:8443"));
        this.pki = Pki.open(db, new Pkcs12KeyBackend(dir.resolve("ca-keys.p12"), "test-passphrase".toCharArray()),
                settings, events, dir, manufacturerCas, clock).initialize().start();
    }

    private static StoreConfig postgres(Path dir) {
        TestDatabases.requirePostgres();
        return new StoreConfig(dir, Optional.of(TestDatabases.POSTGRES_URL), Optional.of(TestDatabases.POSTGRES_USER),
                Optional.empty(), Optional.of(TestDatabases.freshSchema()), 4);
    }

    public static PkiFixture sqlite(Path dir) {
        return new PkiFixture(dir, TestDatabases.Kind.SQLITE, Clock.systemUTC(), List.of());
    }

    public static PkiFixture create(Path dir, TestDatabases.Kind kind, Clock clock, Collection<X509Certificate> manufacturerCas) {
        return new PkiFixture(dir, kind, clock, manufacturerCas);
    }

    public List<StoredEvent> events(String activityPrefix) {
        return events.read(EventQuery.all(1000).withActivityPrefix(activityPrefix));
    }

    public long certificateCount() {
        return db.withConnection(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM certificate")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    public static String pem(X509Certificate c) {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(c.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END CERTIFICATE-----\n";
    }

    public Path write(String name, String text) {
        try {
            return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path write(String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        pki.close();
        events.close();
        db.close();
    }
}
