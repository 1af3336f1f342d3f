package dev.holdfast.events.export;

import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Path;
import java.time.Duration;

/** A store, an event log and a pipeline over them, as the server wires them. */
final class ExporterHarness implements AutoCloseable {
    final Database db;
    final JdbcEventLog log;
    final ExportPipeline pipeline;
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    ExporterHarness(Path dataDir) {
        db = Database.open(StoreConfig.embedded(dataDir));
        log = new JdbcEventLog(db);
        pipeline = new ExportPipeline(log, new ExportCursors(db), log::lastSequence, metrics, Duration.ofMillis(200));
        log.onAppended(seq -> pipeline.wake());
    }

    @Override
    public void close() {
        pipeline.close();
        log.close();
        db.close();
    }
}
