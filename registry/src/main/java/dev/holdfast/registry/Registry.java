package dev.holdfast.registry;

import dev.holdfast.events.EventSink;
import dev.holdfast.registry.internal.JdbcBulkJobs;
import dev.holdfast.registry.internal.JdbcDeviceModelCatalog;
import dev.holdfast.registry.internal.JdbcDeviceRegistry;
import dev.holdfast.store.Database;

import java.nio.file.Path;
import java.time.Clock;

/**
 * The registry as the server runs it: devices, device models and bulk jobs on one store. Open once,
 * {@link #start()} once (resumes unfinished jobs), close once. The store must have run the
 * {@code registry} migrations ({@code db.migrate("registry")}).
 *
 * <p>Files: {@code workDir/jobs/} keeps uploads until their import ends and the files exports write;
 * {@code workDir/import/} is the only place server-side imports may read from.
 */
public final class Registry implements AutoCloseable {
    /** Lines per import transaction and devices per export page, unless set. */
    public static final int DEFAULT_BATCH_SIZE = 1000;

    private final JdbcDeviceRegistry devices;
    private final JdbcDeviceModelCatalog models;
    private final JdbcBulkJobs jobs;

    private Registry(JdbcDeviceRegistry devices, JdbcDeviceModelCatalog models, JdbcBulkJobs jobs) {
        this.devices = devices;
        this.models = models;
        this.jobs = jobs;
    }

    public static Registry open(Database db, EventSink events, Clock clock, Path workDir) {
        return open(db, events, clock, workDir, DEFAULT_BATCH_SIZE);
    }

    /** @param batchSize lines per import transaction and devices per export page, 1..10000 */
    public static Registry open(Database db, EventSink events, Clock clock, Path workDir, int batchSize) {
        return new Registry(new JdbcDeviceRegistry(db, events, clock), new JdbcDeviceModelCatalog(db, clock),
                new JdbcBulkJobs(db, events, clock, workDir, batchSize));
    }

    /** Continues the bulk jobs a stop or crash left unfinished. */
    public Registry start() {
        jobs.resumeUnfinished();
        return this;
    }

    public DeviceRegistry devices() {
        return devices;
    }

    public DeviceModelCatalog models() {
        return models;
    }

    /** Tells {@code listener} after every stored change to a device's reported properties. */
    public void addTwinListener(TwinListener listener) {
        devices.addTwinListener(listener);
    }

    public BulkJobs jobs() {
        return jobs;
    }

    /** Stops bulk jobs after the batch in progress (they resume at the next start). */
    @Override
    public void close() {
        jobs.close();
    }
}
