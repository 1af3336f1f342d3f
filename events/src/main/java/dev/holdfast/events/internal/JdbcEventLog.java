package dev.holdfast.events.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventLog;
import dev.holdfast.events.EventQuery;
import dev.holdfast.events.EventSubscription;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.events.StoredEvent;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The event log in the {@code security_event} table. Each subscriber has a bounded queue drained by
 * a virtual thread of its own, so a slow subscriber never slows appenders; when its queue is full the
 * event is counted as dropped for that subscriber (it remains in the log, readable by sequence).
 *
 * <p>An event appended inside a store transaction ({@link Database#inTransaction}) commits or rolls
 * back with the rows it describes; subscribers hear of it only after the commit.
 */
public final class JdbcEventLog implements EventLog, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JdbcEventLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SUBSCRIBER_QUEUE = 65_536;

    private final Database db;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong lastSequence = new AtomicLong();
    private final List<java.util.function.LongConsumer> appendListeners = new CopyOnWriteArrayList<>();

    public JdbcEventLog(Database db) {
        this.db = db;
        db.migrate("events");
        lastSequence.set(db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM security_event");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }));
    }

    /** The highest sequence number appended (committed) so far; 0 for an empty log. */
    public long lastSequence() {
        return lastSequence.get();
    }

    /**
     * Calls {@code listener} with the sequence number after each committed append, on the appending
     * thread: it must be quick and must not append (exporters use it to wake up).
     */
    public void onAppended(java.util.function.LongConsumer listener) {
        appendListeners.add(listener);
    }

    @Override
    public long append(SecurityEvent e) {
        String details;
        try {
            details = JSON.writeValueAsString(e.details());
        } catch (IOException ex) {
            throw new IllegalStateException("details not serialisable", ex);
        }
        // A transaction even for one statement: on SQLite it queues on the store's writer lock, and
        // inside a caller's transaction (a certificate and the event saying it was issued) it joins it.
        long seq = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO security_event (id, event_time, class_uid, activity, outcome, severity_id, device_id, actor, source_module, message, details) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, e.id().toString());
                ps.setLong(2, e.time().toEpochMilli());
                ps.setInt(3, e.eventClass().classUid());
                ps.setString(4, e.activity());
                ps.setString(5, e.outcome().name());
                ps.setInt(6, e.severity().id());
                ps.setString(7, e.deviceId().orElse(null));
                ps.setString(8, e.actor());
                ps.setString(9, e.sourceModule());
                ps.setString(10, e.message());
                ps.setString(11, details);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
        StoredEvent stored = new StoredEvent(seq, e);
        db.afterCommit(() -> {
            appended.incrementAndGet();
            lastSequence.accumulateAndGet(seq, Math::max);
            for (Subscriber s : subscribers) s.offer(stored);
            for (var l : appendListeners) l.accept(seq);
        });
        return seq;
    }

    /**
     * Appends several events in one transaction (one commit, one fsync on SQLite): the way to take
     * bursts, such as a sensor's alerts or a bulk job's events, at tens of thousands per second.
     * Returns the sequence number of the last one; subscribers hear of each after the commit.
     */
    public long appendAll(List<SecurityEvent> batch) {
        if (batch.isEmpty()) return lastSequence.get();
        List<StoredEvent> stored = new ArrayList<>(batch.size());
        boolean sqlite = db.dialect() == dev.holdfast.store.Dialect.SQLITE;
        db.inTransaction(c -> {
            if (sqlite) {
                // SQLite has one writer: inside this transaction the AUTOINCREMENT keys of the batch are
                // consecutive, so one batch statement and last_insert_rowid() give every sequence number.
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO security_event (id, event_time, class_uid, activity, outcome, severity_id, device_id, actor, source_module, message, details) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
                    for (SecurityEvent e : batch) {
                        bind(ps, e);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                long lastKey;
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT last_insert_rowid()")) {
                    rs.next();
                    lastKey = rs.getLong(1);
                }
                long first = lastKey - batch.size() + 1;
                for (int i = 0; i < batch.size(); i++) stored.add(new StoredEvent(first + i, batch.get(i)));
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO security_event (id, event_time, class_uid, activity, outcome, severity_id, device_id, actor, source_module, message, details) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                for (SecurityEvent e : batch) {
                    bind(ps, e);
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        stored.add(new StoredEvent(keys.getLong(1), e));
                    }
                }
            }
            return null;
        });
        long last = stored.get(stored.size() - 1).sequence();
        db.afterCommit(() -> {
            appended.addAndGet(stored.size());
            lastSequence.accumulateAndGet(last, Math::max);
            for (StoredEvent se : stored) for (Subscriber s : subscribers) s.offer(se);
            for (var l : appendListeners) l.accept(last);
        });
        return last;
    }

    private static void bind(PreparedStatement ps, SecurityEvent e) throws java.sql.SQLException {
        String details;
        try {
            details = JSON.writeValueAsString(e.details());
        } catch (IOException ex) {
            throw new IllegalStateException("details not serialisable", ex);
        }
        ps.setString(1, e.id().toString());
        ps.setLong(2, e.time().toEpochMilli());
        ps.setInt(3, e.eventClass().classUid());
        ps.setString(4, e.activity());
        ps.setString(5, e.outcome().name());
        ps.setInt(6, e.severity().id());
        ps.setString(7, e.deviceId().orElse(null));
        ps.setString(8, e.actor());
        ps.setString(9, e.sourceModule());
        ps.setString(10, e.message());
        ps.setString(11, details);
    }

    public long appendedCount() {
        return appended.get();
    }

    @Override
    public List<StoredEvent> read(EventQuery q) {
        StringBuilder sql = new StringBuilder("SELECT seq, id, event_time, class_uid, activity, outcome, severity_id, device_id, actor, source_module, message, details FROM security_event WHERE seq > ?");
        List<Object> args = new ArrayList<>();
        args.add(q.afterSequence());
        q.eventClass().ifPresent(c -> { sql.append(" AND class_uid = ?"); args.add(c.classUid()); });
        q.deviceId().ifPresent(d -> { sql.append(" AND device_id = ?"); args.add(d); });
        q.activityPrefix().ifPresent(p -> { sql.append(" AND activity LIKE ? ESCAPE '!'"); args.add(escapeLike(p) + "%"); });
        q.minSeverity().ifPresent(s -> { sql.append(" AND severity_id >= ?"); args.add(s.id()); });
        q.since().ifPresent(t -> { sql.append(" AND event_time >= ?"); args.add(t.toEpochMilli()); });
        sql.append(" ORDER BY seq LIMIT ").append(q.limit());
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
                List<StoredEvent> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new StoredEvent(rs.getLong(1), toEvent(rs)));
                }
                return out;
            }
        });
    }

    private static String escapeLike(String s) {
        return s.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    private static SecurityEvent toEvent(ResultSet rs) throws java.sql.SQLException {
        Map<String, String> details;
        try {
            details = JSON.readValue(rs.getString(12), new TypeReference<Map<String, String>>() { });
        } catch (IOException ex) {
            throw new StoreException("event " + rs.getString(2) + " has unreadable details", ex);
        }
        return new SecurityEvent(UUID.fromString(rs.getString(2)), Instant.ofEpochMilli(rs.getLong(3)),
                EventClass.ofClassUid(rs.getInt(4)), rs.getString(5), SecurityEvent.Outcome.valueOf(rs.getString(6)),
                Severity.ofId(rs.getInt(7)), Optional.ofNullable(rs.getString(8)), rs.getString(9), rs.getString(10),
                rs.getString(11), details);
    }

    @Override
    public EventSubscription subscribe(Predicate<SecurityEvent> filter, Consumer<StoredEvent> consumer) {
        Subscriber s = new Subscriber(filter, consumer);
        subscribers.add(s);
        s.start();
        return () -> {
            subscribers.remove(s);
            s.stop();
        };
    }

    @Override
    public int enforceRetention(Duration retention) {
        long cutoff = Instant.now().minus(retention).toEpochMilli();
        int total = 0;
        // Small batches so writers are never blocked behind one long delete.
        while (true) {
            int n = db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM security_event WHERE seq IN (SELECT seq FROM security_event WHERE event_time < ? ORDER BY seq LIMIT 5000)")) {
                    ps.setLong(1, cutoff);
                    return ps.executeUpdate();
                }
            });
            total += n;
            if (n < 5000) return total;
        }
    }

    @Override
    public void close() {
        for (Subscriber s : subscribers) s.stop();
        subscribers.clear();
    }

    private static final class Subscriber {
        private final Predicate<SecurityEvent> filter;
        private final Consumer<StoredEvent> consumer;
        private final BlockingQueue<StoredEvent> queue = new ArrayBlockingQueue<>(SUBSCRIBER_QUEUE);
        private final AtomicLong dropped = new AtomicLong();
        private volatile boolean running = true;
        private Thread thread;

        Subscriber(Predicate<SecurityEvent> filter, Consumer<StoredEvent> consumer) {
            this.filter = filter;
            this.consumer = consumer;
        }

        void start() {
            thread = Thread.ofVirtual().name("event-subscriber").start(this::drain);
        }

        void offer(StoredEvent e) {
            if (!filter.test(e.event())) return;
            if (!queue.offer(e) && dropped.incrementAndGet() % 1000 == 1) {
                log.warn("event subscriber is behind; {} events not delivered live (still in the log)", dropped.get());
            }
        }

        private void drain() {
            while (running) {
                try {
                    StoredEvent e = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (e != null) consumer.accept(e);
                } catch (InterruptedException ie) {
                    return;
                } catch (RuntimeException ex) {
                    log.warn("event subscriber failed on an event; continuing", ex);
                }
            }
        }

        void stop() {
            running = false;
            if (thread != null) thread.interrupt();
        }
    }
}
