package dev.holdfast.provisioning;

import dev.holdfast.testing.TestManufacturerCa;
import dev.holdfast.events.EventQuery;
import dev.holdfast.events.StoredEvent;
import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.pki.Pki;
import dev.holdfast.pki.PkiSettings;
import dev.holdfast.pki.internal.Pkcs12KeyBackend;
import dev.holdfast.registry.DeviceRegistry;
import dev.holdfast.registry.Registry;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import dev.holdfast.testing.TestDatabases;

import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Provisioning on real parts: a store (SQLite in a temporary directory, or PostgreSQL in a schema of
 * its own) with every module's migrations, the event log, a real PKI on PKCS#12 keys and the registry.
 */
final class ProvisioningFixture implements AutoCloseable {
    final Path dir;
    final Database db;
    final JdbcEventLog events;
    final Pki pki;
    final Registry registry;
    final Provisioning provisioning;

    private ProvisioningFixture(Path dir, TestDatabases.Kind kind, Provisioning.Settings settings, StoreConfig config) {
        this.dir = dir;
        this.db = Database.open(config);
        db.migrate("registry");
        db.migrate("provisioning");
        this.events = new JdbcEventLog(db);
        this.pki = Pki.open(db, new Pkcs12KeyBackend(dir.resolve("ca-keys.p12"), "test-passphrase".toCharArray()),
                PkiSettings.defaults(URI.create("https://127.0.0.1:8443")), events, dir, List.of(), Clock.systemUTC()).initialize().start();
        this.registry = Registry.open(db, events, Clock.systemUTC(), dir.resolve("registry")).start();
        this.provisioning = Provisioning.open(db, pki.ca(), registry.devices(), events, Clock.systemUTC(), settings);
    }

    static ProvisioningFixture open(TestDatabases.Kind kind, Path dir) {
        return open(kind, dir, Provisioning.Settings.defaults());
    }

    static ProvisioningFixture open(TestDatabases.Kind kind, Path dir, Provisioning.Settings settings) {
        StoreConfig config = kind == TestDatabases.Kind.SQLITE ? StoreConfig.embedded(dir) : postgres(dir);
        return new ProvisioningFixture(dir, kind, settings, config);
    }

    private static StoreConfig postgres(Path dir) {
        TestDatabases.requirePostgres();
        return new StoreConfig(dir, Optional.of(TestDatabases.POSTGRES_URL), Optional.of(TestDatabases.POSTGRES_USER), Optional.empty(),
                Optional.of(TestDatabases.freshSchema()), 8);
    }

    DeviceRegistry devices() {
        return registry.devices();
    }

    List<StoredEvent> events(String activityPrefix) {
        return events.read(EventQuery.all(1000).withActivityPrefix(activityPrefix));
    }

    /** Uploads {@code ca} under {@code name} and proves possession, as an operator would. */
    ManufacturerCa verifiedCa(String name, TestManufacturerCa ca) {
        ManufacturerCa up = provisioning.uploadManufacturerCa(name, der(ca.certificate), Optional.empty(), "test");
        return provisioning.verifyManufacturerCa(name, der(ca.proof(up.verificationCode())), "test");
    }

    static byte[] der(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        registry.close();
        pki.close();
        events.close();
        db.close();
    }
}
