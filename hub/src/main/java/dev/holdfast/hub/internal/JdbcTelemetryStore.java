package dev.holdfast.hub.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.hub.TelemetryMessage;
import dev.holdfast.hub.TelemetrySink;
import dev.holdfast.pki.Bytes;
import dev.holdfast.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The built-in telemetry store: messages in the {@code hub_telemetry} table, kept for the retention
 * period. One writer thread takes what has queued up and writes it in one transaction (group commit),
 * so a thousand publishers cost a few commits, not a thousand; each message's stage completes when its
 * transaction has committed, which is when the hub sends PUBACK.
 *
 * <p>The queue is bounded: when it is full {@link #accept} fails at once with
 * {@link Overloaded}, and the hub stops reading from that device until it drains (backpressure).
 */
public final class JdbcTelemetryStore implements TelemetrySink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JdbcTelemetryStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BATCH = 1000;

    /** The write queue is full. */
    public static final class Overloaded extends RuntimeException {
        public Overloaded(int capacity) {
            super("telemetry queue is full (" + capacity + " messages waiting to be written)");
        }
    }

    private record Pending(TelemetryMessage message, CompletableFuture<Void> done) {
    }

    /** A stored message. */
    public record Stored(long id, TelemetryMessage message) {
    }

    private final Database db;
    private final Clock clock;
    private final Duration retention;
    private final int capacity;
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    private volatile boolean running = true;
    private long lastPrune;

    public JdbcTelemetryStore(Database db, Clock clock, Duration retention, int capacity) {
        this.db = db;
        this.clock = clock;
        this.retention = retention;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = Thread.ofPlatform().name("hub-telemetry-writer").daemon().start(this::run);
    }

    @Override
    public CompletionStage<Void> accept(TelemetryMessage message) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) return CompletableFuture.failedFuture(new IllegalStateException("telemetry store is closed"));
        if (!queue.offer(new Pending(message, done))) return CompletableFuture.failedFuture(new Overloaded(capacity));
        return done;
    }

    /** Messages waiting to be written. */
    public int backlog() {
        return queue.size();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, MAX_BATCH - 1);
                    write(batch);
                    batch.clear();
                }
                maybePrune();
            } catch (InterruptedException e) {
                if (!running) break;
            } catch (RuntimeException e) {
                log.error("telemetry store write of {} messages failed", batch.size(), e);
                for (Pending p : batch) p.done.completeExceptionally(e);
                batch.clear();
            }
        }
        Pending p;
        while ((p = queue.poll()) != null) p.done.completeExceptionally(new IllegalStateException("telemetry store closed"));
    }

    private void write(List<Pending> batch) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_telemetry (device_id, module_id, enqueued_at, system, properties, body, will) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                for (Pending p : batch) {
                    TelemetryMessage m = p.message;
                    ps.setString(1, m.deviceId());
                    ps.setString(2, m.moduleId().orElse(null));
                    ps.setLong(3, m.enqueuedAt().toEpochMilli());
                    ps.setString(4, JSON.writeValueAsString(m.system()));
                    ps.setString(5, JSON.writeValueAsString(m.properties()));
                    ps.setBytes(6, m.body().toArray());
                    ps.setInt(7, m.will() ? 1 : 0);
                    ps.addBatch();
                }
                ps.executeBatch();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("telemetry properties: " + e.getMessage(), e);
            }
            return null;
        });
        for (Pending p : batch) p.done.complete(null);
    }

    private void maybePrune() {
        long now = clock.millis();
        if (now - lastPrune < 60_000) return;
        lastPrune = now;
        int n = prune();
        if (n > 0) log.info("telemetry retention removed {} messages older than {}", n, retention);
    }

    /** Deletes messages older than the retention period; returns how many. */
    public int prune() {
        long cutoff = clock.millis() - retention.toMillis();
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM hub_telemetry WHERE enqueued_at < ?")) {
                ps.setLong(1, cutoff);
                return ps.executeUpdate();
            }
        });
    }

    /** Messages with an id above {@code afterId}, oldest first (webhook routes read with a cursor). */
    public List<Stored> after(long afterId, int limit) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, device_id, module_id, enqueued_at, system, properties, body, will "
                    + "FROM hub_telemetry WHERE id > ? ORDER BY id LIMIT ?")) {
                ps.setLong(1, afterId);
                ps.setInt(2, limit);
                return rows(ps);
            }
        });
    }

    /** The highest stored id, 0 when empty. */
    public long lastId() {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT MAX(id) FROM hub_telemetry"); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** The database the store writes to (route cursors live beside it). */
    public Database database() {
        return db;
    }

    private static List<Stored> rows(PreparedStatement ps) throws java.sql.SQLException {
        List<Stored> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Stored(rs.getLong(1), new TelemetryMessage(rs.getString(2), Optional.ofNullable(rs.getString(3)),
                        Instant.ofEpochMilli(rs.getLong(4)), map(rs.getString(5)), map(rs.getString(6)), Bytes.wrapOwned(rs.getBytes(7)),
                        rs.getInt(8) != 0)));
            }
        }
        return out;
    }

    /** The device's most recent messages, newest first. */
    public List<Stored> recent(String deviceId, int limit) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, device_id, module_id, enqueued_at, system, properties, body, will "
                    + "FROM hub_telemetry WHERE device_id = ? ORDER BY id DESC LIMIT ?")) {
                ps.setString(1, deviceId);
                ps.setInt(2, limit);
                List<Stored> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Stored(rs.getLong(1), new TelemetryMessage(rs.getString(2), Optional.ofNullable(rs.getString(3)),
                                Instant.ofEpochMilli(rs.getLong(4)), map(rs.getString(5)), map(rs.getString(6)), Bytes.wrapOwned(rs.getBytes(7)),
                                rs.getInt(8) != 0)));
                    }
                }
                return out;
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> map(String json) {
        try {
            return JSON.readValue(json, Map.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored telemetry properties are not JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
