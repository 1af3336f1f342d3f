package dev.holdfast.server.registry;

import dev.holdfast.events.EventSink;
import dev.holdfast.registry.Registry;
import dev.holdfast.registry.query.DeviceQueries;
import dev.holdfast.registry.query.JdbcDeviceQueries;
import dev.holdfast.store.Database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;

/**
 * The registry as the server runs it: migrations, the registry with its bulk jobs under
 * {@code DIR/registry/}, and the fleet query engine, whose continuation tokens are signed with a key
 * kept in {@code DIR/secrets/query-continuation.key} (created on first start, owner-only) so tokens
 * stay valid across restarts.
 */
public final class RegistryAssembly implements AutoCloseable {
    static final String KEY_FILE = "secrets/query-continuation.key";

    private final Registry registry;
    private final DeviceQueries queries;

    private RegistryAssembly(Registry registry, DeviceQueries queries) {
        this.registry = registry;
        this.queries = queries;
    }

    /** Migrates, opens and starts the registry (unfinished bulk jobs resume). */
    public static RegistryAssembly open(Database db, EventSink events, Path dataDir, Clock clock) {
        db.migrate("registry");
        Registry registry = Registry.open(db, events, clock, dataDir.resolve("registry"));
        try {
            DeviceQueries queries = new JdbcDeviceQueries(db, continuationKey(dataDir));
            return new RegistryAssembly(registry.start(), queries);
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    public Registry registry() {
        return registry;
    }

    public DeviceQueries queries() {
        return queries;
    }

    public RegistryRoutes routes() {
        return new RegistryRoutes(registry, queries);
    }

    /** 32 random bytes, generated once. */
    static byte[] continuationKey(Path dataDir) {
        Path file = dataDir.resolve(KEY_FILE);
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                byte[] raw = new byte[32];
                new SecureRandom().nextBytes(raw);
                Path tmp = Files.createTempFile(file.getParent(), "key", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, Base64.getEncoder().encodeToString(raw) + "\n", StandardCharsets.US_ASCII);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            byte[] key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
            if (key.length < 16) throw new IllegalStateException(file + " holds " + key.length + " bytes (expected: at least 16; delete it to make a new one)");
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(file + " is not base64 (delete it to make a new one)", e);
        }
    }

    /** Stops bulk jobs after their batch in progress. */
    @Override
    public void close() {
        registry.close();
    }
}
