package dev.holdfast.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.events.EventSink;
import dev.holdfast.events.UuidV7;
import dev.holdfast.registry.BulkJobs;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceJson;
import dev.holdfast.registry.RegistryJob;
import dev.holdfast.registry.RegistryLimits;
import dev.holdfast.registry.RegistryRefusal;
import dev.holdfast.store.Database;
import dev.holdfast.store.Dialect;
import dev.holdfast.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Bulk jobs in the {@code registry_job} table, run one at a time on a thread of their own.
 *
 * <p><b>Import.</b> One thread reads and prepares lines ({@link DeviceImporter#prepare}: parse,
 * validate, render the rows), another applies them a batch per transaction; the transaction also moves
 * the job's position and byte offset, so progress and data commit together and a restart continues at
 * the first line not committed. On SQLite the transaction starts with a write (the job's row), taking
 * the write lock before anything is read, so the batch cannot fail on a lock upgrade.
 *
 * <p><b>Durability.</b> Bulk work uses the store's normal settings (SQLite: WAL, {@code synchronous=NORMAL});
 * the only per-connection change is a larger page cache while a batch runs, put back afterwards.
 */
public final class JdbcBulkJobs implements BulkJobs, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JdbcBulkJobs.class);
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final String JOB_COLUMNS = "id, kind, status, source, position, total, succeeded, failed, errors, created_by, "
            + "created_at, updated_at, byte_offset, resume_cursor, counts, output_path";
    /** The {@code source} of an uploaded import, stored as {@code jobs/<id>.jsonl} until the job ends. */
    static final String UPLOAD = "upload";
    /** The {@code source} prefix of a server-side file, followed by its path under the import directory. */
    static final String FILE_PREFIX = "file:";

    private final Database db;
    private final Dialect dialect;
    private final RegistryEvents events;
    private final Clock clock;
    private final Path jobsDir;
    private final Path importDir;
    private final int batchSize;
    private final ExecutorService worker;
    private volatile boolean stopping;

    /**
     * @param workDir   holds {@code jobs/} (uploads and exports) and {@code import/} (server-side import files)
     * @param batchSize lines per import transaction, devices per export page
     */
    public JdbcBulkJobs(Database db, EventSink events, Clock clock, Path workDir, int batchSize) {
        if (batchSize < 1 || batchSize > 10_000) throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: 1..10000)");
        this.db = db;
        this.dialect = db.dialect();
        this.events = new RegistryEvents(events);
        this.clock = clock;
        this.jobsDir = workDir.resolve("jobs");
        this.importDir = workDir.resolve("import");
        this.batchSize = batchSize;
        try {
            Files.createDirectories(jobsDir);
            Files.createDirectories(importDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + workDir + ": " + e.getMessage(), e);
        }
        this.worker = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("registry-jobs").daemon().factory());
    }

    /** Queues the jobs a stop or crash left unfinished, oldest first. */
    public void resumeUnfinished() {
        List<String> ids = db.withConnection(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM registry_job WHERE status IN ('queued', 'running') ORDER BY created_at, id")) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(rs.getString(1));
                }
            }
            return out;
        });
        for (String id : ids) {
            log.info("registry job {} resumes", id);
            submit(id);
        }
    }

    @Override
    public Path importDirectory() {
        return importDir;
    }

    // ------------------------------------------------------------------------------------ starting jobs

    @Override
    public RegistryJob importFile(Path file, String actor) {
        Path resolved = checkImportPath(file);
        String source = FILE_PREFIX + importDir.toAbsolutePath().normalize().relativize(resolved);
        RegistryJob job = insert(RegistryJob.Kind.IMPORT, source, null, actor);
        submit(job.id());
        return job;
    }

    private Path checkImportPath(Path file) {
        Path base = importDir.toAbsolutePath().normalize();
        Path p = (file.isAbsolute() ? file : base.resolve(file)).normalize();
        String shown = RegistryLimits.excerpt(file.toString());
        if (!p.startsWith(base) || p.equals(base)) {
            throw RegistryRefusal.invalid("import-path-outside", "path: '" + shown + "' is not under the import directory " + base
                    + " (place server-side import files there)").exception();
        }
        try {
            Path real = p.toRealPath();
            if (!real.startsWith(base.toRealPath())) {
                throw RegistryRefusal.invalid("import-path-outside", "path: '" + shown + "' leads outside the import directory " + base).exception();
            }
            if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS) || !Files.isReadable(real)) {
                throw RegistryRefusal.invalid("import-path-unreadable", "path: '" + shown + "' is not a readable regular file").exception();
            }
            return p;
        } catch (NoSuchFileException e) {
            throw RegistryRefusal.notFound("import-file-not-found", "path: '" + shown + "' does not exist under " + base).exception();
        } catch (IOException e) {
            throw RegistryRefusal.invalid("import-path-unreadable", "path: '" + shown + "' cannot be read").exception(e);
        }
    }

    @Override
    public RegistryJob importUpload(InputStream lines, long maxBytes, String actor) {
        String id = UuidV7.now().toString();
        Path part = jobsDir.resolve(id + ".jsonl.part");
        try {
            long copied = 0;
            try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = lines.read(buf)) > 0) {
                    copied += n;
                    if (copied > maxBytes) {
                        throw new RegistryRefusal.TooLarge("upload-too-large", "import upload exceeds the limit of " + maxBytes
                                + " bytes (place larger files in the server's import directory and import them by path)").exception();
                    }
                    out.write(buf, 0, n);
                }
            }
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(part, jobsDir.resolve(id + ".jsonl"), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(part);
            throw new IllegalStateException("cannot store the import upload: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(part);
            throw e;
        }
        RegistryJob job = insert(id, RegistryJob.Kind.IMPORT, UPLOAD, null, actor);
        submit(job.id());
        return job;
    }

    @Override
    public RegistryJob export(String actor) {
        String id = UuidV7.now().toString();
        RegistryJob job = insert(id, RegistryJob.Kind.EXPORT, null, id + ".export.jsonl", actor);
        submit(job.id());
        return job;
    }

    private RegistryJob insert(RegistryJob.Kind kind, String source, String output, String actor) {
        return insert(UuidV7.now().toString(), kind, source, output, actor);
    }

    private RegistryJob insert(String id, RegistryJob.Kind kind, String source, String output, String actor) {
        long now = clock.millis();
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry_job (" + JOB_COLUMNS + ") VALUES (?, ?, 'queued', ?, 0, NULL, 0, 0, "
                    + Sql.jsonParam(dialect) + ", ?, ?, ?, 0, NULL, " + Sql.jsonParam(dialect) + ", ?)")) {
                ps.setString(1, id);
                ps.setString(2, kind.wireName());
                Sql.setString(ps, 3, source);
                ps.setString(4, "[]");
                ps.setString(5, actor);
                ps.setLong(6, now);
                ps.setLong(7, now);
                ps.setString(8, countsJson(RegistryJob.Counts.ZERO));
                Sql.setString(ps, 9, output);
                ps.executeUpdate();
            }
            return null;
        });
        return get(id);
    }

    private void submit(String id) {
        worker.execute(() -> {
            if (stopping) return;
            try {
                run(id);
            } catch (RuntimeException e) {
                // The cause (a database or file error) is for the operator's log, not for the job's readers.
                log.error("registry job {} failed", id, e);
                fail(id, "the job stopped on an unexpected error; the server log has the details (job " + id + ")");
            }
        });
    }

    // ------------------------------------------------------------------------------------ reading jobs

    @Override
    public Optional<RegistryJob> find(String id) {
        return Optional.ofNullable(row(id)).map(JobRow::job);
    }

    @Override
    public List<RegistryJob> list(int limit) {
        if (limit < 1 || limit > 1000) throw RegistryRefusal.invalid("invalid-limit", "limit: " + limit + " (expected: 1..1000)").exception();
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM registry_job ORDER BY created_at DESC, id DESC LIMIT ?")) {
                ps.setInt(1, limit);
                List<RegistryJob> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(JobRow.read(rs).job());
                }
                return out;
            }
        });
    }

    @Override
    public Path exportFile(String id) {
        JobRow r = row(id);
        if (r == null) throw RegistryRefusal.notFound("job-not-found", "job '" + RegistryLimits.excerpt(id) + "' does not exist").exception();
        if (r.job().kind() != RegistryJob.Kind.EXPORT) {
            throw RegistryRefusal.conflict("not-an-export", "job '" + id + "' is an import; only exports have an output").exception();
        }
        if (r.job().status() != RegistryJob.Status.COMPLETED) {
            throw RegistryRefusal.conflict("job-not-completed", "job '" + id + "' is " + r.job().status().wireName()
                    + "; its output is available once it has completed").exception();
        }
        Path f = jobsDir.resolve(r.outputPath());
        if (!Files.isRegularFile(f)) throw RegistryRefusal.notFound("output-gone", "the output of job '" + id + "' is no longer on the server").exception();
        return f;
    }

    private JobRow row(String id) {
        return db.withConnection(c -> row(c, id));
    }

    private static JobRow row(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM registry_job WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? JobRow.read(rs) : null;
            }
        }
    }

    /** A job row with the resume state that the public {@link RegistryJob} does not show. */
    record JobRow(RegistryJob job, long byteOffset, String cursor, String outputPath) {
        static JobRow read(ResultSet rs) throws SQLException {
            List<RegistryJob.LineError> errors = new ArrayList<>();
            for (JsonNode e : Json.array(rs.getString("errors"))) errors.add(new RegistryJob.LineError(e.path("line").asLong(), e.path("message").asText()));
            ObjectNode counts = Json.object(rs.getString("counts"));
            RegistryJob job = new RegistryJob(rs.getString("id"), RegistryJob.Kind.valueOf(rs.getString("kind").toUpperCase()),
                    RegistryJob.Status.valueOf(rs.getString("status").toUpperCase()), Optional.ofNullable(rs.getString("source")),
                    rs.getLong("position"), Optional.ofNullable(Sql.getLong(rs, "total")), rs.getLong("succeeded"), rs.getLong("failed"),
                    new RegistryJob.Counts(counts.path("created").asLong(), counts.path("updated").asLong(), counts.path("unchanged").asLong(),
                            counts.path("deleted").asLong()), errors, rs.getString("created_by"), Instant.ofEpochMilli(rs.getLong("created_at")),
                    Instant.ofEpochMilli(rs.getLong("updated_at")));
            Long offset = Sql.getLong(rs, "byte_offset");
            return new JobRow(job, offset == null ? 0 : offset, rs.getString("resume_cursor"), rs.getString("output_path"));
        }
    }

    // ------------------------------------------------------------------------------------ running

    private void run(String id) {
        JobRow r = row(id);
        if (r == null || r.job().isFinished()) return;
        setStatus(id, RegistryJob.Status.RUNNING);
        boolean done = switch (r.job().kind()) {
            case IMPORT -> runImport(r);
            case EXPORT -> runExport(r);
        };
        if (done) finish(id, RegistryJob.Status.COMPLETED);
    }

    private void setStatus(String id, RegistryJob.Status status) {
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE registry_job SET status = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, status.wireName());
                ps.setLong(2, clock.millis());
                ps.setString(3, id);
                return ps.executeUpdate();
            }
        });
    }

    private void finish(String id, RegistryJob.Status status) {
        setStatus(id, status);
        RegistryJob job = get(id);
        if (job.kind() == RegistryJob.Kind.IMPORT && job.source().filter(UPLOAD::equals).isPresent()) {
            deleteQuietly(jobsDir.resolve(id + ".jsonl"));
        }
        log.info("registry {} job {} {}: {} applied, {} refused", job.kind().wireName(), id, status.wireName(), job.succeeded(), job.failed());
        events.jobFinished(job, Instant.ofEpochMilli(clock.millis()));
    }

    private void fail(String id, String message) {
        try {
            db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE registry_job SET errors = " + Sql.jsonParam(dialect) + " WHERE id = ?")) {
                    JobRow r = row(c, id);
                    List<RegistryJob.LineError> errors = new ArrayList<>(r == null ? List.of() : r.job().errors());
                    errors.add(new RegistryJob.LineError(r == null ? 0 : r.job().position(), message));
                    ps.setString(1, errorsJson(errors));
                    ps.setString(2, id);
                    return ps.executeUpdate();
                }
            });
            finish(id, RegistryJob.Status.FAILED);
        } catch (RuntimeException e) {
            log.error("registry job {} could not be marked failed", id, e);
        }
    }

    /**
     * Prepared lines {@code firstLine .. firstLine + lines - 1} (blank lines have no item), the offset
     * after each item's line, and the offset after the batch's last line.
     */
    private record Batch(List<DeviceImporter.Item> items, long[] itemEnds, long firstLine, long lines, long endOffset) {
    }

    private static final Batch END = new Batch(List.of(), new long[0], 0, 0, -1);
    private static final Batch STOPPED = new Batch(List.of(), new long[0], 0, 0, -1);

    /** Returns true when the whole source was applied, false when stopped before. */
    private boolean runImport(JobRow r) {
        String id = r.job().id();
        String src = r.job().source().orElse("");
        Path source = src.equals(UPLOAD) ? jobsDir.resolve(id + ".jsonl") : importDir.resolve(src.substring(FILE_PREFIX.length()));
        if (!Files.isRegularFile(source)) {
            fail(id, "the source file " + r.job().source().orElse("?") + " is no longer there");
            return false;
        }
        if (r.job().total().isEmpty()) setTotal(id, countLines(source));
        DeviceImporter importer = new DeviceImporter(dialect);
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(4);
        java.util.concurrent.atomic.AtomicLong readerCpu = new java.util.concurrent.atomic.AtomicLong();
        long writerCpu0 = THREADS.getCurrentThreadCpuTime();
        Thread reader = Thread.ofPlatform().name("registry-import-reader").daemon().start(() -> {
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            try {
                readBatches(source, r, importer, queue);
            } finally {
                readerCpu.set(THREADS.getCurrentThreadCpuTime() - cpu0);
            }
        });
        // One connection for the whole job, so the bulk page cache stays warm from batch to batch.
        try (Connection c = db.dataSource().getConnection()) {
            Pragmas bulk = Pragmas.bulk(c, dialect, db.dataSource());
            try {
                while (true) {
                    Object next = queue.take();
                    if (next instanceof RuntimeException e) throw e;
                    Batch b = (Batch) next;
                    if (b == END) return true;
                    if (b == STOPPED) return false;
                    applyBatch(c, id, importer, b);
                    if (stopping) return false;
                }
            } finally {
                importer.closeStatements();
                bulk.restore();
            }
        } catch (SQLException e) {
            throw new StoreException("import job " + id + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            reader.interrupt();
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // Which side bounds the job: reading and preparing lines, or writing them.
            log.info("import job {}: reading and preparing took {} ms of CPU, writing {} ms", id, readerCpu.get() / 1_000_000,
                    (THREADS.getCurrentThreadCpuTime() - writerCpu0) / 1_000_000);
        }
    }

    private void readBatches(Path source, JobRow r, DeviceImporter importer, BlockingQueue<Object> queue) {
        try (FileChannel ch = FileChannel.open(source, StandardOpenOption.READ)) {
            ch.position(r.byteOffset());
            LineReader lines = new LineReader(new BufferedInputStream(Channels.newInputStream(ch), 1 << 16), r.byteOffset(), DeviceImporter.MAX_LINE_BYTES);
            long lineNo = r.job().position();
            while (true) {
                if (stopping) {
                    queue.put(STOPPED); // the applier may be waiting for a batch that will not come
                    return;
                }
                Instant now = Instant.ofEpochMilli(clock.millis());
                String stamp = now.toString();
                List<DeviceImporter.Item> items = new ArrayList<>(batchSize);
                long[] ends = new long[batchSize];
                long first = lineNo + 1;
                long end = -1;
                long count = 0;
                LineReader.Line line;
                while (count < batchSize && (line = lines.next()) != null) {
                    lineNo++;
                    count++;
                    end = line.endOffset();
                    DeviceImporter.Item item = line.tooLong()
                            ? new DeviceImporter.Rejected(lineNo, "line longer than " + DeviceImporter.MAX_LINE_BYTES + " bytes")
                            : importer.prepare(lineNo, line.bytes(), line.length(), now, stamp);
                    if (item != null) {
                        ends[items.size()] = end;
                        items.add(item);
                    }
                }
                if (count == 0) {
                    queue.put(END);
                    return;
                }
                queue.put(new Batch(items, ends, first, count, end));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            offer(queue, new IllegalStateException("cannot read " + source.getFileName() + ": " + e.getMessage(), e));
        } catch (RuntimeException e) {
            offer(queue, e);
        }
    }

    private static void offer(BlockingQueue<Object> queue, RuntimeException e) {
        try {
            queue.put(e);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    /** Applies one batch in one transaction with the job's progress; line by line if the batch fails as a whole. */
    private void applyBatch(Connection c, String id, DeviceImporter importer, Batch b) throws SQLException {
        DeviceImporter.Outcome outcome;
        try {
            outcome = inTransaction(c, () -> {
                lockJob(c, id);
                DeviceImporter.Outcome o = importer.apply(c, b.items(), Instant.ofEpochMilli(clock.millis()));
                progress(c, id, b.lines(), b.endOffset(), o);
                return o;
            });
        } catch (SQLException e) {
            log.debug("import batch of job {} failed as a whole; applying its lines one by one", id, e);
            applyLineByLine(c, id, importer, b);
            return;
        }
        emit(outcome);
    }

    private void applyLineByLine(Connection c, String id, DeviceImporter importer, Batch b) throws SQLException {
        List<DeviceImporter.Item> items = b.items();
        long previousLine = b.firstLine() - 1;
        for (int i = 0; i < items.size(); i++) {
            DeviceImporter.Item item = items.get(i);
            boolean last = i == items.size() - 1;
            // Each item's transaction also covers the blank lines before it; the last one those after it too.
            long lines = (last ? b.firstLine() + b.lines() - 1 : item.line()) - previousLine;
            long offset = last ? b.endOffset() : b.itemEnds()[i];
            previousLine = item.line();
            try {
                DeviceImporter.Outcome o = inTransaction(c, () -> {
                    lockJob(c, id);
                    DeviceImporter.Outcome one = importer.apply(c, List.of(item), Instant.ofEpochMilli(clock.millis()));
                    progress(c, id, lines, offset, one);
                    return one;
                });
                emit(o);
            } catch (SQLException e) {
                log.warn("import job {} line {} could not be stored", id, item.line(), e);
                DeviceImporter.Outcome refused = new DeviceImporter.Outcome(RegistryJob.Counts.ZERO, 0, 1,
                        List.of(new RegistryJob.LineError(item.line(), "could not be stored (database error; see the server log)")), List.of(), List.of());
                inTransaction(c, () -> {
                    progress(c, id, lines, offset, refused);
                    return null;
                });
            }
        }
        if (items.isEmpty()) {
            inTransaction(c, () -> {
                progress(c, id, b.lines(), b.endOffset(), new DeviceImporter.Outcome(RegistryJob.Counts.ZERO, 0, 0, List.of(), List.of(), List.of()));
                return null;
            });
        }
    }

    @FunctionalInterface
    private interface TxWork<T> {
        T run() throws SQLException;
    }

    /** {@code work} as one transaction on the job's own connection: committed, or rolled back and rethrown. */
    private static <T> T inTransaction(Connection c, TxWork<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException re) {
                e.addSuppressed(re);
            }
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private void emit(DeviceImporter.Outcome o) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        for (Device[] pair : o.changed()) events.changed(pair[0], pair[1], Optional.of("bulk import"), "import", now);
        for (Device d : o.deleted()) events.deleted(d, "import", now);
    }

    /** The first statement of a batch writes the job row: on SQLite that takes the write lock up front. */
    private void lockJob(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE registry_job SET updated_at = ? WHERE id = ?")) {
            ps.setLong(1, clock.millis());
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }

    private void progress(Connection c, String id, long lines, long endOffset, DeviceImporter.Outcome o) throws SQLException {
        JobRow r = row(c, id);
        RegistryJob j = r.job();
        List<RegistryJob.LineError> errors = new ArrayList<>(j.errors());
        for (RegistryJob.LineError e : o.errors()) if (errors.size() < MAX_ERRORS_KEPT) errors.add(e);
        try (PreparedStatement ps = c.prepareStatement("UPDATE registry_job SET position = ?, byte_offset = ?, succeeded = ?, failed = ?, errors = "
                + Sql.jsonParam(dialect) + ", counts = " + Sql.jsonParam(dialect) + ", updated_at = ? WHERE id = ?")) {
            ps.setLong(1, j.position() + lines);
            ps.setLong(2, endOffset >= 0 ? endOffset : r.byteOffset());
            ps.setLong(3, j.succeeded() + o.succeeded());
            ps.setLong(4, j.failed() + o.failed());
            ps.setString(5, errorsJson(errors));
            ps.setString(6, countsJson(j.counts().plus(o.counts())));
            ps.setLong(7, clock.millis());
            ps.setString(8, id);
            ps.executeUpdate();
        }
    }

    private void setTotal(String id, long total) {
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE registry_job SET total = ? WHERE id = ?")) {
                ps.setLong(1, total);
                ps.setString(2, id);
                return ps.executeUpdate();
            }
        });
    }

    /** Lines in the file, the last one counted even without a final newline. */
    static long countLines(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            long lines = 0;
            byte last = '\n';
            while (ch.read(buf) > 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    last = buf.get();
                    if (last == '\n') lines++;
                }
                buf.clear();
            }
            return last == '\n' ? lines : lines + 1;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------ export

    private boolean runExport(JobRow r) {
        String id = r.job().id();
        if (r.job().total().isEmpty()) {
            setTotal(id, db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM device"); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }));
        }
        Path out = jobsDir.resolve(r.outputPath());
        String cursor = r.cursor() == null ? "0:" : r.cursor();
        int colon = cursor.indexOf(':');
        int level = Integer.parseInt(cursor.substring(0, colon));
        String after = cursor.substring(colon + 1);
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.truncate(r.byteOffset());
            ch.position(r.byteOffset());
            while (level <= RegistryLimits.MAX_GATEWAY_DEPTH) {
                if (stopping) return false;
                List<Device> page = exportPage(level, after);
                if (page.isEmpty()) {
                    level++;
                    after = "";
                    continue;
                }
                StringBuilder text = new StringBuilder(page.size() * 512);
                for (Device d : page) text.append(Json.write(DeviceJson.exportLine(d))).append('\n');
                ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) ch.write(bytes);
                ch.force(false); // the file holds what the job row will say it holds
                after = page.get(page.size() - 1).id().value();
                String nextCursor = level + ":" + after;
                long offset = ch.position();
                int n = page.size();
                db.inTransaction(c -> {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE registry_job SET position = position + ?, succeeded = succeeded + ?, "
                            + "byte_offset = ?, resume_cursor = ?, updated_at = ? WHERE id = ?")) {
                        ps.setLong(1, n);
                        ps.setLong(2, n);
                        ps.setLong(3, offset);
                        ps.setString(4, nextCursor);
                        ps.setLong(5, clock.millis());
                        ps.setString(6, id);
                        ps.executeUpdate();
                    }
                    return null;
                });
            }
            return true;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + out.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Devices {@code level} gateways below the top (0: no parent), after {@code after} in id order: each
     * level is written after the one above, so every parent precedes its children in the file.
     */
    private List<Device> exportPage(int level, String after) {
        StringBuilder sql = new StringBuilder(DeviceRows.select("d"));
        String last = "d";
        for (int k = 1; k <= level; k++) {
            sql.append(" JOIN device p").append(k).append(" ON ").append(last).append(".parent_id = p").append(k).append(".id");
            last = "p" + k;
        }
        sql.append(" WHERE ").append(last).append(".parent_id IS NULL AND d.id > ? ORDER BY d.id LIMIT ?");
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                ps.setString(1, after);
                ps.setInt(2, batchSize);
                List<Device> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(DeviceRows.read(rs));
                }
                return out;
            }
        });
    }

    // ------------------------------------------------------------------------------------ helpers

    private static String countsJson(RegistryJob.Counts c) {
        ObjectNode o = Json.NODES.objectNode();
        o.put("created", c.created()).put("updated", c.updated()).put("unchanged", c.unchanged()).put("deleted", c.deleted());
        return Json.write(o);
    }

    private static String errorsJson(List<RegistryJob.LineError> errors) {
        ArrayNode a = Json.NODES.arrayNode();
        for (RegistryJob.LineError e : errors) a.addObject().put("line", e.line()).put("message", e.message());
        return Json.write(a);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.warn("cannot delete {}", p, e);
        }
    }

    /**
     * Stops after the batch in progress: the job stays {@code running} in the table and continues at the
     * next start. Waits up to 30 seconds for the batch to commit.
     */
    @Override
    public void close() {
        stopping = true;
        worker.shutdown();
        try {
            if (!worker.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("registry job still running after 30 s; interrupting it (it resumes at the next start)");
                worker.shutdownNow();
                worker.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
