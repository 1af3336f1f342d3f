package dev.holdfast.posture.advisory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventSink;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.posture.MalformedDocumentException;
import dev.holdfast.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The offline advisory database: OSV records (JSON or YAML, one per file, in a directory or a zip
 * bundle), NVD CVE 2.0 feeds, the CISA KEV catalogue and EPSS CSV files, imported from a path and
 * stored in the {@code posture_*} tables; the {@link AdvisoryIndex} in memory answers matching.
 *
 * <p><b>Idempotent and incremental.</b> A record is stored again only when its content changed and
 * its {@code modified} time is not older than the stored one; importing the same bundle twice adds
 * and updates nothing. Every run is recorded in {@code posture_import} (source, times, counts) and
 * emits {@code posture.advisories.imported}. Bad records are counted and reported with their file and
 * location; the rest of the import goes on.
 *
 * <p><b>Limits.</b> A file or zip entry over {@link #MAX_ENTRY_BYTES} is refused; a zip over
 * {@link #MAX_ZIP_ENTRIES} entries or {@link #MAX_ZIP_TOTAL_BYTES} uncompressed stops at the limit
 * (zip bombs); directories are walked {@link #MAX_DEPTH} deep.
 */
public final class AdvisoryDatabase {
    private static final Logger log = LoggerFactory.getLogger(AdvisoryDatabase.class);
    public static final long MAX_ENTRY_BYTES = 512L << 20;
    public static final int MAX_ZIP_ENTRIES = 2_000_000;
    public static final long MAX_ZIP_TOTAL_BYTES = 16L << 30;
    public static final int MAX_DEPTH = 8;
    static final int BATCH = 1000;

    private final Database db;
    private final EventSink events;
    private final Clock clock;
    private final AdvisoryIndex index = new AdvisoryIndex();
    /** Per stored advisory: content hash and modified, to decide idempotently without reading the row. */
    private final Map<String, long[]> stamps = new HashMap<>();
    private final List<Consumer<ImportReport>> listeners = new CopyOnWriteArrayList<>();

    private AdvisoryDatabase(Database db, EventSink events, Clock clock) {
        this.db = db;
        this.events = events;
        this.clock = clock;
    }

    /** Opens on a store that has run the {@code posture} migrations and loads what is stored. */
    public static AdvisoryDatabase open(Database db, EventSink events, Clock clock) {
        AdvisoryDatabase d = new AdvisoryDatabase(db, events, clock);
        d.load();
        return d;
    }

    public AdvisoryIndex index() {
        return index;
    }

    /** Called after every import that changed something (posture re-evaluates). */
    public void onImport(Consumer<ImportReport> listener) {
        listeners.add(listener);
    }

    private void load() {
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT kind, id, modified, content_hash, doc FROM posture_advisory")) {
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String kind = rs.getString(1);
                        try {
                            JsonNode node = OsvParser.JSON.readTree(rs.getString(5));
                            Advisory a = kind.equals("nvd") ? NvdFeedParser.cve(node, "$") : OsvParser.fromNode(node);
                            index.put(a);
                            synchronized (stamps) {
                                stamps.put(a.key(), new long[]{rs.getLong(4), rs.getLong(3)});
                            }
                        } catch (IOException | MalformedDocumentException e) {
                            log.warn("stored advisory {}:{} no longer parses and is skipped: {}", kind, rs.getString(2), e.getMessage());
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT cve, vendor, product, date_added, due_date, ransomware FROM posture_kev");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    index.putKev(new KevEntry(rs.getString(1), rs.getString(2), rs.getString(3), java.time.LocalDate.parse(rs.getString(4)),
                            java.util.Optional.ofNullable(rs.getString(5)).map(java.time.LocalDate::parse), rs.getBoolean(6)));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT cve, epss, percentile, score_date FROM posture_epss")) {
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) index.putEpss(new EpssScore(rs.getString(1), rs.getDouble(2), rs.getDouble(3), rs.getString(4)));
                }
            }
            return null;
        });
    }

    /** Imports everything under {@code path} (a file, a zip bundle, or a directory of them). */
    public ImportReport importPath(Path path, String actor) throws IOException {
        if (!Files.exists(path)) throw new IOException("advisory source " + path + " does not exist");
        Run run = new Run(path.toString(), clock.instant());
        if (Files.isDirectory(path)) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(path, MAX_DEPTH)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) importFile(f, run);
        } else {
            importFile(path, run);
        }
        run.flush();
        ImportReport report = run.report(clock.instant());
        record(report, actor);
        return report;
    }

    public record Stats(long osv, long nvd, long targets, long kev, long epss, List<ImportReport> lastImports) {}

    public Stats stats() {
        List<ImportReport> recent = db.withConnection(c -> {
            List<ImportReport> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT source, started_at, finished_at, read_count, added, updated, unchanged, refused "
                    + "FROM posture_import ORDER BY id DESC LIMIT 10"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ImportReport(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), Instant.ofEpochMilli(rs.getLong(3)), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), 0, 0, List.of(), Set.of()));
                }
            }
            return out;
        });
        return new Stats(index.count(Advisory.Kind.OSV), index.count(Advisory.Kind.NVD), index.targets(), index.kevEntries(), index.epssScores(), recent);
    }

    // ------------------------------------------------------------------------------------ one run

    private void importFile(Path f, Run run) throws IOException {
        String name = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (Files.size(f) > MAX_ENTRY_BYTES && !name.endsWith(".zip")) {
            run.refuse(f.toString(), new MalformedDocumentException("", "file of " + Files.size(f) + " bytes exceeds " + MAX_ENTRY_BYTES));
            return;
        }
        if (name.endsWith(".zip")) {
            try (ZipInputStream zin = new ZipInputStream(new BufferedInputStream(Files.newInputStream(f)))) {
                ZipEntry e;
                int entries = 0;
                long total = 0;
                while ((e = zin.getNextEntry()) != null) {
                    if (++entries > MAX_ZIP_ENTRIES) {
                        run.refuse(f.toString(), new MalformedDocumentException("", "more than " + MAX_ZIP_ENTRIES + " entries; the rest is ignored"));
                        break;
                    }
                    if (e.isDirectory()) continue;
                    byte[] bytes = readBounded(zin, MAX_ENTRY_BYTES);
                    String where = f + "!" + e.getName();
                    if (bytes == null) {
                        run.refuse(where, new MalformedDocumentException("", "entry exceeds " + MAX_ENTRY_BYTES + " bytes"));
                        continue;
                    }
                    total += bytes.length;
                    if (total > MAX_ZIP_TOTAL_BYTES) {
                        run.refuse(f.toString(), new MalformedDocumentException("", "more than " + MAX_ZIP_TOTAL_BYTES + " bytes uncompressed; the rest is ignored"));
                        break;
                    }
                    importBytes(where, e.getName().toLowerCase(java.util.Locale.ROOT), bytes, run);
                }
            }
            return;
        }
        try (InputStream in = Files.newInputStream(f)) {
            byte[] bytes = readBounded(name.endsWith(".gz") ? new GZIPInputStream(in) : in, MAX_ENTRY_BYTES);
            if (bytes == null) {
                run.refuse(f.toString(), new MalformedDocumentException("", "decompressed size exceeds " + MAX_ENTRY_BYTES));
                return;
            }
            importBytes(f.toString(), name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name, bytes, run);
        }
    }

    private static byte[] readBounded(InputStream in, long max) throws IOException {
        byte[] b = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 16));
        return b.length > max ? null : b;
    }

    private void importBytes(String where, String name, byte[] bytes, Run run) {
        if (name.endsWith(".csv")) {
            try {
                List<EpssScore> scores = new ArrayList<>();
                FeedParsers.epss(new java.io.ByteArrayInputStream(bytes), scores::add);
                run.epss(where, scores);
            } catch (MalformedDocumentException e) {
                run.refuse(where, e);
            }
            return;
        }
        if (!(name.endsWith(".json") || name.endsWith(".yaml") || name.endsWith(".yml"))) return; // README, LICENSE ...
        int i = 0;
        while (i < bytes.length && Character.isWhitespace(bytes[i])) i++;
        if (i < bytes.length && bytes[i] == '{' && looksLikeNvdFeed(bytes)) {
            try {
                NvdFeedParser.parse(new java.io.ByteArrayInputStream(bytes), new NvdFeedParser.Sink() {
                    public void accept(Advisory a, String document) {
                        run.advisory(where, a, document);
                    }

                    public void refused(String at, MalformedDocumentException e) {
                        run.refuse(where, e);
                    }
                });
            } catch (MalformedDocumentException e) {
                run.refuse(where, e);
            }
            return;
        }
        try {
            JsonNode root = (i < bytes.length && bytes[i] == '{' ? OsvParser.JSON : OsvParser.YAML).readTree(bytes);
            if (root != null && root.has("catalogVersion") && root.has("vulnerabilities")) {
                run.kev(where, FeedParsers.kev(root));
                return;
            }
            run.advisory(where, OsvParser.fromNode(root), OsvParser.JSON.writeValueAsString(root));
        } catch (MalformedDocumentException e) {
            run.refuse(where, e);
        } catch (IOException | RuntimeException e) {
            run.refuse(where, new MalformedDocumentException("", "not valid JSON or YAML: " + e.getMessage()));
        }
    }

    private static boolean looksLikeNvdFeed(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 2048), StandardCharsets.UTF_8);
        return head.contains("\"NVD_CVE\"");
    }

    private final class Run {
        final String source;
        final Instant started;
        long read, added, updated, unchanged, refused, kev, epss;
        final List<String> errors = new ArrayList<>();
        final Set<String> changedTargets = new HashSet<>();
        final List<Object[]> pending = new ArrayList<>();
        final List<Advisory> pendingAdvisories = new ArrayList<>();

        Run(String source, Instant started) {
            this.source = source;
            this.started = started;
        }

        void refuse(String where, MalformedDocumentException e) {
            refused++;
            if (errors.size() < ImportReport.MAX_ERRORS) errors.add(where + (e.location().isEmpty() ? "" : " " + e.location()) + ": " + e.reason());
        }

        void advisory(String where, Advisory a, String doc) {
            read++;
            long hash = hash(doc);
            long modified = a.modified().toEpochMilli();
            long[] stamp;
            synchronized (stamps) {
                stamp = stamps.get(a.key());
            }
            if (stamp != null && (stamp[0] == hash || stamp[1] > modified)) {
                unchanged++;
                return;
            }
            if (stamp == null) added++;
            else updated++;
            synchronized (stamps) {
                stamps.put(a.key(), new long[]{hash, modified});
            }
            index.find(a.key()).ifPresent(old -> old.affected().forEach(p -> changedTargets.add(p.target().key())));
            a.affected().forEach(p -> changedTargets.add(p.target().key()));
            pending.add(new Object[]{a.kind().wireName(), a.id(), modified, hash, excerpt(where, 1024), doc});
            pendingAdvisories.add(a);
            if (pending.size() >= BATCH) flush();
        }

        void kev(String where, List<KevEntry> entries) {
            long now = clock.millis();
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO posture_kev (cve, vendor, product, date_added, due_date, ransomware, source, imported_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cve) DO UPDATE SET vendor = excluded.vendor, product = excluded.product, "
                        + "date_added = excluded.date_added, due_date = excluded.due_date, ransomware = excluded.ransomware, source = excluded.source, "
                        + "imported_at = excluded.imported_at")) {
                    for (KevEntry e : entries) {
                        Object old = index.kev(new Advisory(Advisory.Kind.NVD, e.cve(), List.of(), "", Instant.EPOCH, null, false, List.of(), List.of())).orElse(null);
                        if (e.equals(old)) continue;
                        ps.setString(1, e.cve());
                        ps.setString(2, excerpt(e.vendor(), 256));
                        ps.setString(3, excerpt(e.product(), 256));
                        ps.setString(4, e.dateAdded().toString());
                        ps.setString(5, e.dueDate().map(Object::toString).orElse(null));
                        ps.setBoolean(6, e.ransomware());
                        ps.setString(7, excerpt(where, 1024));
                        ps.setLong(8, now);
                        ps.addBatch();
                        kev++;
                    }
                    ps.executeBatch();
                }
                return null;
            });
            entries.forEach(index::putKev);
        }

        void epss(String where, List<EpssScore> scores) {
            long now = clock.millis();
            for (int from = 0; from < scores.size(); from += 10 * BATCH) {
                List<EpssScore> slice = scores.subList(from, Math.min(scores.size(), from + 10 * BATCH));
                db.inTransaction(c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO posture_epss (cve, epss, percentile, score_date, source, imported_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cve) DO UPDATE SET epss = excluded.epss, percentile = excluded.percentile, "
                            + "score_date = excluded.score_date, source = excluded.source, imported_at = excluded.imported_at")) {
                        for (EpssScore s : slice) {
                            Advisory probe = new Advisory(Advisory.Kind.NVD, s.cve(), List.of(), "", Instant.EPOCH, null, false, List.of(), List.of());
                            if (s.equals(index.epss(probe).orElse(null))) continue;
                            ps.setString(1, s.cve());
                            ps.setDouble(2, s.epss());
                            ps.setDouble(3, s.percentile());
                            ps.setString(4, excerpt(s.scoreDate(), 40));
                            ps.setString(5, excerpt(where, 1024));
                            ps.setLong(6, now);
                            ps.addBatch();
                            epss++;
                        }
                        ps.executeBatch();
                    }
                    return null;
                });
                slice.forEach(index::putEpss);
            }
        }

        void flush() {
            if (pending.isEmpty()) return;
            long now = clock.millis();
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO posture_advisory (kind, id, modified, content_hash, source, imported_at, doc) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET modified = excluded.modified, "
                        + "content_hash = excluded.content_hash, source = excluded.source, imported_at = excluded.imported_at, doc = excluded.doc")) {
                    for (Object[] row : pending) {
                        ps.setString(1, (String) row[0]);
                        ps.setString(2, (String) row[1]);
                        ps.setLong(3, (Long) row[2]);
                        ps.setLong(4, (Long) row[3]);
                        ps.setString(5, (String) row[4]);
                        ps.setLong(6, now);
                        ps.setString(7, (String) row[5]);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
            pendingAdvisories.forEach(index::put);
            pending.clear();
            pendingAdvisories.clear();
        }

        ImportReport report(Instant finished) {
            return new ImportReport(source, started, finished, read, added, updated, unchanged, refused, kev, epss, errors, changedTargets);
        }
    }

    private void record(ImportReport r, String actor) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO posture_import (source, started_at, finished_at, read_count, added, updated, unchanged, "
                    + "refused, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, excerpt(r.source(), 1024));
                ps.setLong(2, r.startedAt().toEpochMilli());
                ps.setLong(3, r.finishedAt().toEpochMilli());
                ps.setLong(4, r.read());
                ps.setLong(5, r.added());
                ps.setLong(6, r.updated());
                ps.setLong(7, r.unchanged());
                ps.setLong(8, r.refused());
                ps.setString(9, excerpt(actor, 256));
                ps.executeUpdate();
            }
            return null;
        });
        log.info("advisory import from {}: {} read, {} added, {} updated, {} unchanged, {} refused, {} KEV, {} EPSS", r.source(), r.read(), r.added(),
                r.updated(), r.unchanged(), r.refused(), r.kev(), r.epss());
        try {
            events.emit(SecurityEvent.builder(EventClass.API_ACTIVITY, "posture.advisories.imported")
                    .severity(r.refused() > 0 ? Severity.LOW : Severity.INFORMATIONAL)
                    .outcome(r.refused() > 0 && r.read() == 0 ? SecurityEvent.Outcome.FAILURE : SecurityEvent.Outcome.SUCCESS)
                    .actor(actor).source("posture").time(r.finishedAt())
                    .message("advisories imported from " + r.source() + ": " + r.added() + " added, " + r.updated() + " updated, " + r.unchanged()
                            + " unchanged, " + r.refused() + " refused")
                    .detail("source", r.source()).detail("added", r.added()).detail("updated", r.updated()).detail("unchanged", r.unchanged())
                    .detail("refused", r.refused()).detail("kev", r.kev()).detail("epss", r.epss()).build());
        } catch (RuntimeException e) {
            log.error("security event posture.advisories.imported could not be recorded", e);
        }
        if (r.changedAnything()) for (Consumer<ImportReport> l : listeners) l.accept(r);
    }

    static long hash(String doc) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(doc.getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) h = (h << 8) | (d[i] & 0xff);
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String excerpt(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
