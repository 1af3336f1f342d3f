package dev.holdfast.hub.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.hub.CloudToDeviceMessage;
import dev.holdfast.hub.CloudToDeviceMessage.Status;
import dev.holdfast.hub.HubRefusedException;
import dev.holdfast.pki.Bytes;
import dev.holdfast.store.Database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The durable per-device cloud-to-device queue on the store. A message is pending until sent, then
 * delivered until the device's PUBACK completes it; on reconnect delivered messages are sent again
 * (at-least-once, as IoT Hub). At most {@code maxPending} not completed and not expired per device.
 */
public final class JdbcCloudToDeviceQueue {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, device_id, status, properties, body, created_at, expires_at, delivered_at, completed_at, attempts";

    private final Database db;
    private final Clock clock;
    private final int maxPending;

    public JdbcCloudToDeviceQueue(Database db, Clock clock, int maxPending) {
        this.db = db;
        this.clock = clock;
        this.maxPending = maxPending;
    }

    /** Queues a message; refused with {@code queue-full} (HTTP 429) when the device has {@code maxPending}. */
    public CloudToDeviceMessage enqueue(String deviceId, Map<String, String> properties, Bytes body, Duration ttl) {
        Instant now = clock.instant();
        String id = UUID.randomUUID().toString();
        String props;
        try {
            props = JSON.writeValueAsString(properties);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("properties: " + e.getMessage(), e);
        }
        return db.inTransaction(c -> {
            expire(c, now);
            long open;
            long seq;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM hub_c2d_message WHERE device_id = ? "
                    + "AND status IN ('pending', 'delivered')")) {
                ps.setString(1, deviceId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    open = rs.getLong(1);
                    seq = rs.getLong(2);
                }
            }
            if (open >= maxPending) {
                throw new HubRefusedException("queue-full", 429, "device '" + deviceId + "' already has " + open
                        + " cloud-to-device messages pending (at most " + maxPending + "); wait for it to complete them or let them expire");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM hub_c2d_message WHERE device_id = ?")) {
                ps.setString(1, deviceId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    seq = Math.max(seq, rs.getLong(1));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_c2d_message (id, device_id, seq, status, properties, body, created_at, "
                    + "expires_at, attempts) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, 0)")) {
                ps.setString(1, id);
                ps.setString(2, deviceId);
                ps.setLong(3, seq + 1);
                ps.setString(4, props);
                ps.setBytes(5, body.toArray());
                ps.setLong(6, now.toEpochMilli());
                ps.setLong(7, now.plus(ttl).toEpochMilli());
                ps.executeUpdate();
            }
            return new CloudToDeviceMessage(id, deviceId, Status.PENDING, properties, body, now, now.plus(ttl), Optional.empty(), Optional.empty(), 0);
        });
    }

    /** Messages to send on a new connection (pending and delivered ones), oldest first. */
    public List<CloudToDeviceMessage> undelivered(String deviceId) {
        Instant now = clock.instant();
        return db.withConnection(c -> {
            expire(c, now);
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM hub_c2d_message WHERE device_id = ? "
                    + "AND status IN ('pending', 'delivered') ORDER BY seq")) {
                ps.setString(1, deviceId);
                return readAll(ps);
            }
        });
    }

    /** Marks a message sent (one more attempt). */
    public void delivered(String id) {
        long now = clock.millis();
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE hub_c2d_message SET status = 'delivered', delivered_at = ?, attempts = attempts + 1 "
                    + "WHERE id = ? AND status IN ('pending', 'delivered')")) {
                ps.setLong(1, now);
                ps.setString(2, id);
                return ps.executeUpdate();
            }
        });
    }

    /** The device acknowledged it. */
    public void complete(String id) {
        long now = clock.millis();
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE hub_c2d_message SET status = 'completed', completed_at = ? "
                    + "WHERE id = ? AND status IN ('pending', 'delivered')")) {
                ps.setLong(1, now);
                ps.setString(2, id);
                return ps.executeUpdate();
            }
        });
    }

    public Optional<CloudToDeviceMessage> find(String id) {
        Instant now = clock.instant();
        return db.withConnection(c -> {
            expire(c, now);
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM hub_c2d_message WHERE id = ?")) {
                ps.setString(1, id);
                List<CloudToDeviceMessage> all = readAll(ps);
                return all.isEmpty() ? Optional.<CloudToDeviceMessage>empty() : Optional.of(all.get(0));
            }
        });
    }

    /** The device's most recent messages, newest first. */
    public List<CloudToDeviceMessage> recent(String deviceId, int limit) {
        Instant now = clock.instant();
        return db.withConnection(c -> {
            expire(c, now);
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM hub_c2d_message WHERE device_id = ? ORDER BY seq DESC LIMIT ?")) {
                ps.setString(1, deviceId);
                ps.setInt(2, limit);
                return readAll(ps);
            }
        });
    }

    private static void expire(java.sql.Connection c, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE hub_c2d_message SET status = 'expired' WHERE status IN ('pending', 'delivered') "
                + "AND expires_at <= ?")) {
            ps.setLong(1, now.toEpochMilli());
            ps.executeUpdate();
        }
    }

    private static List<CloudToDeviceMessage> readAll(PreparedStatement ps) throws SQLException {
        List<CloudToDeviceMessage> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Map<String, String> props;
                try {
                    props = JSON.readValue(rs.getString(4), new TypeReference<Map<String, String>>() {
                    });
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new SQLException("hub_c2d_message " + rs.getString(1) + ": properties are not a JSON object of strings", e);
                }
                long delivered = rs.getLong(8);
                boolean noDelivered = rs.wasNull();
                long completed = rs.getLong(9);
                boolean noCompleted = rs.wasNull();
                out.add(new CloudToDeviceMessage(rs.getString(1), rs.getString(2), Status.valueOf(rs.getString(3).toUpperCase(java.util.Locale.ROOT)),
                        props, Bytes.wrapOwned(rs.getBytes(5)), Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7)),
                        noDelivered ? Optional.empty() : Optional.of(Instant.ofEpochMilli(delivered)),
                        noCompleted ? Optional.empty() : Optional.of(Instant.ofEpochMilli(completed)), rs.getInt(10)));
            }
        }
        return out;
    }
}
