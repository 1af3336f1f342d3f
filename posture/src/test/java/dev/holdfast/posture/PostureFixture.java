package dev.holdfast.posture;

import dev.holdfast.events.SecurityEvent;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import dev.holdfast.testing.FakeClock;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** SQLite in a temporary directory with the registry and posture migrations, a fake clock and the events emitted. */
public final class PostureFixture implements AutoCloseable {
    public final Database db;
    public final FakeClock clock = new FakeClock(Instant.parse("2026-11-30T10:00:00Z"));
    public final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    public final Path dir;

    public PostureFixture(Path dir) {
        this.dir = dir;
        this.db = Database.open(StoreConfig.embedded(dir));
        db.migrate("registry");
        db.migrate("posture");
    }

    public List<String> activities() {
        return events.stream().map(SecurityEvent::activity).toList();
    }

    @Override
    public void close() {
        db.close();
    }
}
