package dev.holdfast.registry.internal;

import dev.holdfast.events.EventSink;
import dev.holdfast.registry.ConnectionState;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceFilter;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceListener;
import dev.holdfast.registry.TlsParameters;
import dev.holdfast.registry.DevicePage;
import dev.holdfast.registry.DeviceRegistry;
import dev.holdfast.registry.DeviceStatus;
import dev.holdfast.registry.DeviceTags;
import dev.holdfast.registry.DeviceUpdate;
import dev.holdfast.registry.Etag;
import dev.holdfast.registry.HealthSummary;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.NewDevice;
import dev.holdfast.registry.Precondition;
import dev.holdfast.registry.RegistryLimits;
import dev.holdfast.registry.RegistryRefusal;
import dev.holdfast.registry.Twin;
import dev.holdfast.registry.TwinListener;
import dev.holdfast.registry.TwinMetadata;
import dev.holdfast.store.Database;
import dev.holdfast.store.Dialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * The registry on SQLite or PostgreSQL through JDBC.
 *
 * <p>Every change is a compare-and-set on the row's {@code version}: read the device (one statement),
 * decide in Java, then {@code UPDATE ... WHERE id = ? AND version = ?} (one statement). When another
 * writer got there first the update matches no row and the change is decided again on the new state;
 * nothing is overwritten blindly, so concurrent writers never lose each other's changes. Both steps are
 * single auto-committed statements, which keeps SQLite from the lock-upgrade deadlocks of
 * read-then-write transactions and keeps PostgreSQL row locks short.
 *
 * <p>Connection state and last activity are written by the hub with targeted updates that do not
 * touch {@code version}: they are telemetry, not changes to the device, and the full updates never
 * write them, so neither side overwrites the other.
 */
public final class JdbcDeviceRegistry implements DeviceRegistry {
    /** Compare-and-set attempts before a write gives up with 503; only reached under extreme contention. */
    static final int MAX_ATTEMPTS = 200;

    private final Database db;
    private final Dialect dialect;
    private final RegistryEvents events;
    private final Clock clock;
    private final String selectById;
    private final String updateIfVersion;
    private final List<TwinListener> twinListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<DeviceListener> listeners = new CopyOnWriteArrayList<>();

    public JdbcDeviceRegistry(Database db, EventSink events, Clock clock) {
        this.db = db;
        this.dialect = db.dialect();
        this.events = new RegistryEvents(events);
        this.clock = clock;
        this.selectById = DeviceRows.select("d") + " WHERE d.id = ?";
        this.updateIfVersion = DeviceRows.updateIfVersion(dialect);
    }

    // ------------------------------------------------------------------------------------ create, read

    @Override
    public Device create(NewDevice n, String actor) {
        Instant now = now();
        DeviceRules.hub(n.hub());
        Optional<String> statusReason = DeviceRules.reason("statusReason", n.statusReason());
        RegistryLimits.checkDocument("tags", n.tags(), RegistryLimits.MAX_TAGS_BYTES);
        RegistryLimits.checkDocument("properties.desired", n.desired(), RegistryLimits.MAX_PROPERTIES_BYTES);
        RegistryLimits.checkDocument("properties.reported", n.reported(), RegistryLimits.MAX_PROPERTIES_BYTES);
        DeviceDraft d = new DeviceDraft();
        d.id = n.id();
        d.hub = n.hub();
        d.lifecycle = n.lifecycle();
        d.status = n.lifecycle() == LifecycleState.DECOMMISSIONED ? DeviceStatus.DISABLED : n.status();
        d.statusReason = n.lifecycle() == LifecycleState.DECOMMISSIONED && statusReason.isEmpty()
                ? Optional.of(DeviceRules.DECOMMISSIONED_REASON) : statusReason;
        d.authentication = n.authentication();
        d.parent = n.parent();
        d.model = n.model();
        d.capabilities = n.capabilities();
        d.tags = n.tags();
        d.tagsVersion = 1;
        d.desired = n.desired();
        d.desiredVersion = 1;
        d.reported = n.reported();
        d.reportedVersion = 1;
        d.metadata = TwinMetadata.fresh(1, now.toString());
        d.connectionState = ConnectionState.DISCONNECTED;
        d.lastActivity = Optional.empty();
        d.health = HealthSummary.UNKNOWN;
        d.createdAt = now;
        d.updatedAt = now;
        d.version = 1;
        Device device = d.build();
        db.withConnection(c -> {
            if (device.parent().isPresent()) Gateways.checkParent(c, device.id(), device.parent().get(), false);
            if (device.model().isPresent()) Gateways.checkModel(c, device.model().get());
            try (PreparedStatement ps = c.prepareStatement(DeviceRows.insert(dialect, 1))) {
                DeviceRows.bindInsert(ps, 1, DeviceRows.toRow(device));
                ps.executeUpdate();
            } catch (SQLException e) {
                if (Sql.isUniqueViolation(e)) {
                    throw RegistryRefusal.conflict("device-exists", "device '" + device.id().value() + "' already exists").exception(e);
                }
                if (Sql.isForeignKeyViolation(e)) {
                    throw RegistryRefusal.invalid("unknown-model", "modelId: device model '" + device.model().orElse("") + "' does not exist").exception(e);
                }
                throw e;
            }
            return null;
        });
        events.created(device, actor, now);
        return device;
    }

    @Override
    public Optional<Device> find(DeviceId id) {
        return db.withConnection(c -> Optional.ofNullable(read(c, id)));
    }

    private Device read(Connection c, DeviceId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(selectById)) {
            ps.setString(1, id.value());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? DeviceRows.read(rs) : null;
            }
        }
    }

    @Override
    public DevicePage list(DeviceFilter filter, Optional<DeviceId> after, int limit) {
        if (limit < 1 || limit > 1000) throw RegistryRefusal.invalid("invalid-limit", "limit: " + limit + " (expected: 1..1000)").exception();
        StringBuilder sql = new StringBuilder(DeviceRows.select("d")).append(" WHERE 1 = 1");
        List<String> args = new ArrayList<>();
        after.ifPresent(a -> {
            sql.append(" AND d.id > ?");
            args.add(a.value());
        });
        filter.status().ifPresent(s -> {
            sql.append(" AND d.status = ?");
            args.add(s.wireName());
        });
        filter.lifecycle().ifPresent(l -> {
            sql.append(" AND d.lifecycle = ?");
            args.add(l.wireName());
        });
        filter.hub().ifPresent(h -> {
            sql.append(" AND d.hub = ?");
            args.add(h);
        });
        filter.model().ifPresent(m -> {
            sql.append(" AND d.model_id = ?");
            args.add(m);
        });
        filter.parent().ifPresent(p -> {
            sql.append(" AND d.parent_id = ?");
            args.add(p.value());
        });
        sql.append(" ORDER BY d.id LIMIT ?");
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                for (String a : args) ps.setString(i++, a);
                ps.setInt(i, limit + 1);
                List<Device> items = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) items.add(DeviceRows.read(rs));
                }
                Optional<DeviceId> next = Optional.empty();
                if (items.size() > limit) {
                    items = items.subList(0, limit);
                    next = Optional.of(items.get(limit - 1).id());
                }
                return new DevicePage(items, next);
            }
        });
    }

    // ------------------------------------------------------------------------------------ identity

    @Override
    public Device update(DeviceId id, DeviceUpdate update, Precondition condition, String actor) {
        return mutate(id, condition, Device::etag, "device", (c, cur, now) -> {
            Device next = DeviceRules.apply(cur, update, now);
            if (DeviceRules.sameIdentity(next, cur)) return cur;
            if (!next.parent().equals(cur.parent()) && next.parent().isPresent()) {
                Gateways.checkParent(c, id, next.parent().get(), true);
            }
            if (!next.model().equals(cur.model()) && next.model().isPresent()) Gateways.checkModel(c, next.model().get());
            if (cur.capabilities().gateway() && !next.capabilities().gateway() && Gateways.hasChildren(c, id)) {
                throw RegistryRefusal.conflict("gateway-has-children", "device '" + id.value()
                        + "' is the parent of other devices; detach them before removing its gateway capability").exception();
            }
            return next;
        }, (before, after, now) -> {
            events.changed(before, after, update.reason(), actor, now);
            tell(before, Optional.of(after));
        });
    }

    @Override
    public void delete(DeviceId id, Precondition condition, String actor) {
        String sql = "DELETE FROM device WHERE id = ? AND version = ? AND NOT EXISTS (SELECT 1 FROM device c WHERE c.parent_id = ?)";
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Device cur = get(id);
            checkCondition(condition, cur.etag(), id, "device");
            int deleted = db.withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, id.value());
                    ps.setLong(2, cur.version());
                    ps.setString(3, id.value());
                    int n = ps.executeUpdate();
                    if (n == 1) {
                        try (PreparedStatement tls = c.prepareStatement("DELETE FROM device_tls WHERE device_id = ?")) {
                            tls.setString(1, id.value());
                            tls.executeUpdate();
                        }
                    }
                    return n;
                }
            });
            if (deleted == 1) {
                events.deleted(cur, actor, now());
                tell(cur, Optional.empty());
                return;
            }
            if (db.withConnection(c -> Gateways.hasChildren(c, id))) {
                throw RegistryRefusal.conflict("gateway-has-children", "device '" + id.value()
                        + "' is the parent of other devices; delete or detach them first").exception();
            }
            backoff(attempt);
        }
        throw contention(id);
    }

    // ------------------------------------------------------------------------------------ tags

    @Override
    public DeviceTags replaceTags(DeviceId id, JsonDocument tags, Precondition condition, String actor) {
        RegistryLimits.checkDocument("tags", tags, RegistryLimits.MAX_TAGS_BYTES);
        return mutate(id, condition, d -> d.deviceTags().etag(), "tags", (c, cur, now) -> withTags(cur, tags), NO_EVENTS).deviceTags();
    }

    @Override
    public DeviceTags mergeTags(DeviceId id, JsonDocument patch, Precondition condition, String actor) {
        RegistryLimits.checkPatch("tags", patch);
        return mutate(id, condition, d -> d.deviceTags().etag(), "tags", (c, cur, now) -> {
            JsonDocument merged = cur.tags().merge(patch);
            RegistryLimits.checkDocument("tags", merged, RegistryLimits.MAX_TAGS_BYTES);
            return withTags(cur, merged);
        }, NO_EVENTS).deviceTags();
    }

    private static Device withTags(Device cur, JsonDocument tags) {
        if (cur.tags().equals(tags)) return cur;
        DeviceDraft d = DeviceDraft.of(cur);
        d.tags = tags;
        d.tagsVersion = cur.tagsVersion() + 1;
        return d.build();
    }

    // ------------------------------------------------------------------------------------ twin

    @Override
    public Twin patchDesired(DeviceId id, JsonDocument patch, Precondition condition, String actor) {
        return patchTwin(id, patch, condition, true);
    }

    @Override
    public Twin patchReported(DeviceId id, JsonDocument patch) {
        Twin t = patchTwin(id, patch, Precondition.none(), false);
        if (!patch.isEmpty()) {
            for (TwinListener l : twinListeners) {
                try {
                    l.reportedChanged(id, t);
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(JdbcDeviceRegistry.class).error("twin listener failed for device {}", id.value(), e);
                }
            }
        }
        return t;
    }

    /** Adds a listener told after every stored change to a device's reported properties. */
    public void addTwinListener(TwinListener listener) {
        twinListeners.add(listener);
    }

    private Twin patchTwin(DeviceId id, JsonDocument patch, Precondition condition, boolean desiredSide) {
        String what = desiredSide ? "properties.desired" : "properties.reported";
        RegistryLimits.checkPatch(what, patch);
        return mutate(id, condition, d -> d.twin().etag(), "twin", (c, cur, now) -> {
            if (patch.isEmpty()) return cur;
            Twin t = cur.twin();
            JsonDocument before = desiredSide ? t.desired() : t.reported();
            JsonDocument merged = before.merge(patch);
            RegistryLimits.checkDocument(what, merged, RegistryLimits.MAX_PROPERTIES_BYTES);
            long version = (desiredSide ? t.desiredVersion() : t.reportedVersion()) + 1;
            DeviceDraft d = DeviceDraft.of(cur);
            if (desiredSide) {
                d.desired = merged;
                d.desiredVersion = version;
            } else {
                d.reported = merged;
                d.reportedVersion = version;
            }
            d.metadata = TwinMetadata.touch(t.metadata(), desiredSide ? "desired" : "reported", before, patch, now.toString(),
                    desiredSide ? OptionalLong.of(version) : OptionalLong.empty());
            return d.build();
        }, (before, after, now) -> tell(before, Optional.of(after))).twin();
    }

    // ------------------------------------------------------------------------------------ hub and posture

    @Override
    public void recordConnection(DeviceId id, ConnectionState state, Instant at) {
        int n = db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE device SET connection_state = ?, last_activity = "
                    + "CASE WHEN last_activity IS NULL OR last_activity < ? THEN ? ELSE last_activity END WHERE id = ?")) {
                ps.setString(1, state.wireName());
                ps.setLong(2, at.toEpochMilli());
                ps.setLong(3, at.toEpochMilli());
                ps.setString(4, id.value());
                return ps.executeUpdate();
            }
        });
        if (n == 0) throw DeviceRegistry.notFound(id).exception();
    }

    @Override
    public void recordActivity(DeviceId id, Instant at) {
        int n = db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE device SET last_activity = ? WHERE id = ? AND (last_activity IS NULL OR last_activity < ?)")) {
                ps.setLong(1, at.toEpochMilli());
                ps.setString(2, id.value());
                ps.setLong(3, at.toEpochMilli());
                return ps.executeUpdate();
            }
        });
        if (n == 0 && find(id).isEmpty()) throw DeviceRegistry.notFound(id).exception();
    }

    @Override
    public void recordTls(DeviceId id, TlsParameters tls) {
        db.withConnection(c -> {
            if (read(c, id) == null) throw DeviceRegistry.notFound(id).exception();
            try (PreparedStatement up = c.prepareStatement("UPDATE device_tls SET protocol = ?, cipher_suite = ?, recorded_at = ? WHERE device_id = ?")) {
                up.setString(1, tls.protocol());
                up.setString(2, tls.cipherSuite());
                up.setLong(3, tls.at().toEpochMilli());
                up.setString(4, id.value());
                if (up.executeUpdate() == 1) return null;
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO device_tls (device_id, protocol, cipher_suite, recorded_at) VALUES (?, ?, ?, ?)")) {
                ins.setString(1, id.value());
                ins.setString(2, tls.protocol());
                ins.setString(3, tls.cipherSuite());
                ins.setLong(4, tls.at().toEpochMilli());
                ins.executeUpdate();
            } catch (SQLException e) {
                // Two sessions of one device racing: the other one's record is as recent; keep it.
                if (!Sql.isUniqueViolation(e)) throw e;
            }
            return null;
        });
    }

    @Override
    public Optional<TlsParameters> lastTls(DeviceId id) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT protocol, cipher_suite, recorded_at FROM device_tls WHERE device_id = ?")) {
                ps.setString(1, id.value());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new TlsParameters(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))))
                            : Optional.<TlsParameters>empty();
                }
            }
        });
    }

    @Override
    public void addListener(DeviceListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    private void tell(Device before, Optional<Device> after) {
        for (DeviceListener l : listeners) {
            try {
                l.changed(before, after);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(JdbcDeviceRegistry.class).error("device listener {} failed for device {}", l, before.id().value(), e);
            }
        }
    }

    @Override
    public Device updateHealth(DeviceId id, HealthSummary health) {
        return mutate(id, Precondition.none(), Device::etag, "device", (c, cur, now) -> {
            if (cur.health().equals(health)) return cur;
            DeviceDraft d = DeviceDraft.of(cur);
            d.health = health;
            return d.build();
        }, NO_EVENTS);
    }

    // ------------------------------------------------------------------------------------ the write loop

    @FunctionalInterface
    private interface Change {
        /** The device as it should become, or {@code current} itself when nothing changes. */
        Device apply(Connection c, Device current, Instant now) throws SQLException;
    }

    @FunctionalInterface
    private interface AfterCommit {
        void run(Device before, Device after, Instant now);
    }

    /** Tags, twin and health changes are not security events. */
    private static final AfterCommit NO_EVENTS = (before, after, now) -> {
    };

    /**
     * Reads, checks {@code condition} against {@code tagOf(current)}, applies {@code change} and writes it
     * if the row still has the version read; otherwise tries again on the new state.
     */
    private Device mutate(DeviceId id, Precondition condition, Function<Device, Etag> tagOf, String what, Change change, AfterCommit after) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Instant now = now();
            Object[] outcome = db.withConnection(c -> {
                Device cur = read(c, id);
                if (cur == null) throw DeviceRegistry.notFound(id).exception();
                checkCondition(condition, tagOf.apply(cur), id, what);
                Device next = change.apply(c, cur, now);
                if (next == cur) return new Object[]{cur, cur};
                DeviceDraft d = DeviceDraft.of(next);
                d.version = cur.version() + 1;
                d.updatedAt = now;
                Device stored = d.build();
                try (PreparedStatement ps = c.prepareStatement(updateIfVersion)) {
                    DeviceRows.bindUpdate(ps, DeviceRows.toRow(stored), cur.version());
                    if (ps.executeUpdate() == 1) return new Object[]{cur, stored};
                } catch (SQLException e) {
                    if (Sql.isForeignKeyViolation(e)) {
                        throw RegistryRefusal.invalid("unknown-model", "modelId: device model '" + stored.model().orElse("") + "' does not exist").exception(e);
                    }
                    throw e;
                }
                return null;
            });
            if (outcome != null) {
                Device before = (Device) outcome[0];
                Device result = (Device) outcome[1];
                if (result != before) after.run(before, result, now);
                return result;
            }
            backoff(attempt);
        }
        throw contention(id);
    }

    private static void checkCondition(Precondition condition, Etag current, DeviceId id, String what) {
        if (!condition.holdsFor(current)) {
            throw new RegistryRefusal.PreconditionFailed("etag-mismatch", "If-Match does not match the current ETag " + current.header()
                    + " of device '" + id.value() + "' " + what + " (read it again, then retry)", current).exception();
        }
    }

    private static void backoff(int attempt) {
        if (attempt < 2) return;
        // Spread retrying writers out so the next compare-and-set has a chance; grows to about 10 ms.
        long maxNanos = Math.min(10_000_000L, 50_000L << Math.min(attempt, 8));
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(maxNanos / 2, maxNanos));
    }

    private static dev.holdfast.registry.RegistryRefusedException contention(DeviceId id) {
        return new RegistryRefusal.Unavailable("contention", "device '" + id.value() + "' is being changed by too many writers at once; retry")
                .exception();
    }

    private Instant now() {
        return Instant.ofEpochMilli(clock.millis());
    }
}
