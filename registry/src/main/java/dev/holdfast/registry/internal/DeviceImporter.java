package dev.holdfast.registry.internal;

import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceJson;
import dev.holdfast.registry.DeviceStatus;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.NewDevice;
import dev.holdfast.registry.RegistryJob;
import dev.holdfast.registry.RegistryLimits;
import dev.holdfast.registry.RegistryRefusal;
import dev.holdfast.registry.RegistryRefusedException;
import dev.holdfast.registry.TwinMetadata;
import dev.holdfast.store.Dialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Applies import lines in batches. Work is split in two so the expensive part runs outside the
 * database transaction: {@link #prepare} parses and validates one line and renders the row a new
 * device would be (JSON texts, metadata), needing no database; {@link #apply} then decides each line of
 * a batch against the registry inside one transaction and writes the batch with multi-row INSERTs and
 * batched compare-and-set UPDATEs.
 *
 * <p>Deciding a line: a device that does not exist is inserted; one that already is as the line says
 * is left alone (which makes a second import of the same file change nothing, versions included); one
 * that differs is updated if the lifecycle matrix allows the move. A parent must exist when its child's
 * line is applied, in the registry or earlier in the file.
 */
final class DeviceImporter {
    /** Rows per INSERT statement: 16 parameters each, well within SQLite's 32,766 and PostgreSQL's 65,535. */
    static final int ROWS_PER_INSERT = 500;
    /** Ids per {@code IN (...)} list. */
    private static final int IDS_PER_SELECT = 500;
    static final int MAX_LINE_BYTES = 256 * 1024;

    private final Dialect dialect;
    private final Map<Integer, String> insertSql = new HashMap<>();
    /** The full-size INSERT, prepared once per connection: SQLite compiles 12,500 parameters slowly. */
    private Connection cachedOn;
    private PreparedStatement cachedInsert;
    private final String updateSql;
    /** Models known to exist, for this importer's job; models are rarely deleted during an import. */
    private final Set<String> knownModels = new HashSet<>();

    DeviceImporter(Dialect dialect) {
        this.dialect = dialect;
        this.updateSql = DeviceRows.updateIfVersion(dialect);
    }

    // ------------------------------------------------------------------------------------ prepare

    /** A line ready to apply, or refused before it reached the database. */
    sealed interface Item {
        long line();
    }

    record Prepared(long line, DeviceJson.ImportMode mode, NewDevice device, Object[] row) implements Item {
    }

    record Rejected(long line, String message) implements Item {
    }

    /**
     * Parses and validates line {@code lineNo}; null for a blank line. {@code now} stamps the row as
     * created and the properties' metadata.
     */
    Item prepare(long lineNo, byte[] bytes, int length, Instant now, String stamp) {
        if (isBlank(bytes, length)) return null;
        try {
            DeviceJson.ImportLine line = DeviceJson.parseImportLine(bytes, 0, length);
            NewDevice d = line.device();
            if (line.mode() == DeviceJson.ImportMode.DELETE) return new Prepared(lineNo, line.mode(), d, null);
            return new Prepared(lineNo, line.mode(), d, row(d, now, stamp));
        } catch (RegistryRefusedException e) {
            return new Rejected(lineNo, e.refusal().message());
        }
    }

    private static boolean isBlank(byte[] b, int length) {
        for (int i = 0; i < length; i++) {
            byte c = b[i];
            if (c != ' ' && c != '\t' && c != '\r') return false;
        }
        return true;
    }

    /** The row of {@code d} as a new device, after the checks that need no database. */
    private static Object[] row(NewDevice d, Instant now, String stamp) {
        DeviceRules.hub(d.hub());
        Optional<String> reason = DeviceRules.reason("statusReason", d.statusReason());
        Object[] r = new Object[DeviceRows.WIDTH];
        r[DeviceRows.ID] = d.id().value();
        r[DeviceRows.HUB] = d.hub().orElse(null);
        boolean decommissioned = d.lifecycle() == LifecycleState.DECOMMISSIONED;
        r[DeviceRows.STATUS] = decommissioned ? DeviceStatus.DISABLED.wireName() : d.status().wireName();
        r[DeviceRows.STATUS_REASON] = decommissioned && reason.isEmpty() ? DeviceRules.DECOMMISSIONED_REASON : reason.orElse(null);
        r[DeviceRows.LIFECYCLE] = d.lifecycle().wireName();
        r[DeviceRows.AUTH_TYPE] = d.authentication().type();
        r[DeviceRows.AUTH_THUMBPRINTS] = DeviceRows.thumbprintsJson(d.authentication());
        r[DeviceRows.PARENT] = d.parent().map(DeviceId::value).orElse(null);
        r[DeviceRows.MODEL] = d.model().orElse(null);
        r[DeviceRows.CAPABILITIES] = DeviceRows.capabilitiesJson(d.capabilities());
        r[DeviceRows.TAGS] = RegistryLimits.checkDocument("tags", d.tags(), RegistryLimits.MAX_TAGS_BYTES);
        r[DeviceRows.TAGS_VERSION] = 1L;
        r[DeviceRows.DESIRED] = RegistryLimits.checkDocument("properties.desired", d.desired(), RegistryLimits.MAX_PROPERTIES_BYTES);
        r[DeviceRows.DESIRED_VERSION] = 1L;
        r[DeviceRows.REPORTED] = RegistryLimits.checkDocument("properties.reported", d.reported(), RegistryLimits.MAX_PROPERTIES_BYTES);
        r[DeviceRows.REPORTED_VERSION] = 1L;
        r[DeviceRows.TWIN_METADATA] = TwinMetadata.fresh(1, stamp).json();
        r[DeviceRows.CONNECTION] = "disconnected";
        r[DeviceRows.LAST_ACTIVITY] = null;
        r[DeviceRows.HEALTH_COMPLIANCE] = "unknown";
        r[DeviceRows.HEALTH_RISK] = null;
        r[DeviceRows.HEALTH_REASONS] = "[]";
        r[DeviceRows.CREATED] = now.toEpochMilli();
        r[DeviceRows.UPDATED] = now.toEpochMilli();
        r[DeviceRows.VERSION] = 1L;
        return r;
    }

    // ------------------------------------------------------------------------------------ apply

    private PreparedStatement fullInsert(Connection c) throws SQLException {
        if (cachedOn != c || cachedInsert == null || cachedInsert.isClosed()) {
            closeStatements();
            cachedInsert = c.prepareStatement(DeviceRows.insertNew(dialect, ROWS_PER_INSERT));
            cachedOn = c;
        }
        return cachedInsert;
    }

    /** Closes the statements kept for the connection of the job; call before the connection goes back. */
    void closeStatements() {
        if (cachedInsert != null) {
            try {
                cachedInsert.close();
            } catch (SQLException e) {
                // the connection is going away or already gone; nothing to keep
            }
            cachedInsert = null;
            cachedOn = null;
        }
    }

    /** What a batch did, for the job's progress and the security events emitted after commit. */
    record Outcome(RegistryJob.Counts counts, long succeeded, long failed, List<RegistryJob.LineError> errors,
                   List<Device[]> changed, List<Device> deleted) {
    }

    /** Decides and writes {@code items} on {@code c}, inside the caller's transaction. */
    Outcome apply(Connection c, List<Item> items, Instant now) throws SQLException {
        return new Batch(c, now).run(items);
    }

    private final class Batch {
        private final Connection c;
        private final Instant now;
        private final Map<String, Device> existing = new HashMap<>();
        /** Devices this batch wrote, as parents see them; a null value means deleted. */
        private final Map<String, Gateways.Node> touched = new HashMap<>();
        private final Map<String, Gateways.Node> looked = new HashMap<>();
        private final List<Object[]> inserts = new ArrayList<>();
        private final List<Object[]> updates = new ArrayList<>();
        private final List<Long> updateVersions = new ArrayList<>();
        private final List<RegistryJob.LineError> errors = new ArrayList<>();
        private final List<Device[]> changed = new ArrayList<>();
        private final List<Device> deleted = new ArrayList<>();
        private long created, updated, unchanged, removed, succeeded, failed;

        Batch(Connection c, Instant now) {
            this.c = c;
            this.now = now;
        }

        Outcome run(List<Item> items) throws SQLException {
            Set<String> ids = new LinkedHashSet<>();
            for (Item i : items) if (i instanceof Prepared p) ids.add(p.device().id().value());
            readExisting(ids);
            for (Item item : items) {
                switch (item) {
                    case Rejected r -> reject(r.line(), r.message());
                    case Prepared p -> {
                        try {
                            decide(p);
                            succeeded++;
                        } catch (RegistryRefusedException e) {
                            reject(p.line(), e.refusal().message());
                        }
                    }
                }
            }
            flush();
            return new Outcome(new RegistryJob.Counts(created, updated, unchanged, removed), succeeded, failed, errors, changed, deleted);
        }

        private void reject(long line, String message) {
            failed++;
            errors.add(new RegistryJob.LineError(line, message));
        }

        private void decide(Prepared p) throws SQLException {
            String id = p.device().id().value();
            if (touched.containsKey(id)) {
                // The same device again in this batch: write what is pending, then decide on the stored state.
                flush();
                touched.remove(id);
                Device again = readOne(id);
                if (again == null) existing.remove(id);
                else existing.put(id, again);
            }
            Device current = existing.get(id);
            if (p.mode() == DeviceJson.ImportMode.DELETE) {
                delete(id, current);
                return;
            }
            if (current == null) {
                insert(p);
            } else if (p.mode() == DeviceJson.ImportMode.CREATE) {
                throw RegistryRefusal.conflict("device-exists", "device '" + id + "' already exists (importMode create)").exception();
            } else {
                update(p, current);
            }
        }

        private void insert(Prepared p) throws SQLException {
            NewDevice d = p.device();
            if (d.parent().isPresent()) checkParent(d.id(), d.parent().get(), false);
            if (d.model().isPresent()) checkModel(d.model().get());
            assert DeviceRows.isNewDeviceRow(p.row());
            inserts.add(p.row());
            touched.put(d.id().value(), new Gateways.Node(d.id().value(), d.capabilities().gateway(), d.parent().map(DeviceId::value).orElse(null)));
            created++;
        }

        private void update(Prepared p, Device cur) throws SQLException {
            NewDevice n = p.device();
            Object[] row = p.row();
            DeviceDraft d = DeviceDraft.of(cur);
            d.hub = n.hub();
            d.status = DeviceStatus.parse((String) row[DeviceRows.STATUS]);
            d.statusReason = Optional.ofNullable((String) row[DeviceRows.STATUS_REASON]);
            d.lifecycle = n.lifecycle();
            d.authentication = n.authentication();
            d.parent = n.parent();
            d.model = n.model();
            d.capabilities = n.capabilities();
            boolean tagsChanged = !cur.tags().equals(n.tags());
            boolean desiredChanged = !cur.twin().desired().equals(n.desired());
            boolean reportedChanged = !cur.twin().reported().equals(n.reported());
            Device target = d.build();
            if (DeviceRules.sameIdentity(cur, target) && !tagsChanged && !desiredChanged && !reportedChanged) {
                unchanged++;
                return;
            }
            DeviceRules.transition(cur.id(), cur.lifecycle(), n.lifecycle());
            if (!target.parent().equals(cur.parent()) && target.parent().isPresent()) {
                checkParent(cur.id(), target.parent().get(), cur.capabilities().gateway());
            }
            if (!target.model().equals(cur.model()) && target.model().isPresent()) checkModel(target.model().get());
            if (cur.capabilities().gateway() && !target.capabilities().gateway()) {
                flush();
                if (Gateways.hasChildren(c, cur.id())) {
                    throw RegistryRefusal.conflict("gateway-has-children", "device '" + cur.id().value()
                            + "' is the parent of other devices; its gateway capability stays").exception();
                }
            }
            String stamp = now.toString();
            JsonDocument meta = cur.twin().metadata();
            if (tagsChanged) {
                d.tags = n.tags();
                d.tagsVersion = cur.tagsVersion() + 1;
            }
            if (desiredChanged) {
                d.desired = n.desired();
                d.desiredVersion = cur.twin().desiredVersion() + 1;
                meta = TwinMetadata.replaceSide(meta, "desired", stamp, OptionalLong.of(d.desiredVersion));
            }
            if (reportedChanged) {
                d.reported = n.reported();
                d.reportedVersion = cur.twin().reportedVersion() + 1;
                meta = TwinMetadata.replaceSide(meta, "reported", stamp, OptionalLong.empty());
            }
            d.metadata = meta;
            d.version = cur.version() + 1;
            d.updatedAt = now;
            Device next = d.build();
            updates.add(DeviceRows.toRow(next));
            updateVersions.add(cur.version());
            touched.put(cur.id().value(), new Gateways.Node(cur.id().value(), next.capabilities().gateway(), next.parent().map(DeviceId::value).orElse(null)));
            changed.add(new Device[]{cur, next});
            updated++;
        }

        private void delete(String id, Device cur) throws SQLException {
            flush();
            if (cur == null) {
                unchanged++;
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM device WHERE id = ? AND NOT EXISTS (SELECT 1 FROM device c WHERE c.parent_id = ?)")) {
                ps.setString(1, id);
                ps.setString(2, id);
                if (ps.executeUpdate() == 0) {
                    throw RegistryRefusal.conflict("gateway-has-children", "device '" + id + "' is the parent of other devices; delete them first").exception();
                }
            }
            touched.put(id, null);
            existing.remove(id);
            deleted.add(cur);
            removed++;
        }

        private Gateways.Node node(String id) throws SQLException {
            if (touched.containsKey(id)) return touched.get(id);
            Device d = existing.get(id);
            if (d != null) return new Gateways.Node(id, d.capabilities().gateway(), d.parent().map(DeviceId::value).orElse(null));
            if (looked.containsKey(id)) return looked.get(id);
            Gateways.Node n = Gateways.node(c, id);
            looked.put(id, n);
            return n;
        }

        /** The rules of {@link Gateways#checkParent}, with the batch's own writes visible. */
        private void checkParent(DeviceId child, DeviceId parent, boolean childMayHaveDescendants) throws SQLException {
            if (parent.equals(child)) throw RegistryRefusal.invalid("invalid-parent", "parentId: a device cannot be its own parent").exception();
            Gateways.Node p = node(parent.value());
            if (p == null) {
                throw RegistryRefusal.invalid("unknown-parent", "parentId: device '" + parent.value()
                        + "' does not exist (a parent's line must come before its children's)").exception();
            }
            if (!p.gateway()) {
                throw RegistryRefusal.invalid("parent-not-gateway", "parentId: device '" + parent.value() + "' is not a gateway").exception();
            }
            int ancestors = 1;
            String up = p.parent();
            while (up != null && ancestors <= RegistryLimits.MAX_GATEWAY_DEPTH) {
                if (up.equals(child.value())) {
                    throw RegistryRefusal.conflict("parent-cycle", "parentId: device '" + parent.value() + "' is below device '" + child.value() + "'").exception();
                }
                ancestors++;
                Gateways.Node n = node(up);
                up = n == null ? null : n.parent();
            }
            int below = 0;
            if (childMayHaveDescendants) {
                flush();
                below = Gateways.height(c, child.value());
            }
            if (ancestors + below > RegistryLimits.MAX_GATEWAY_DEPTH) {
                throw RegistryRefusal.invalid("gateway-depth", "parentId: gateways would nest " + (ancestors + below) + " deep (expected: at most "
                        + RegistryLimits.MAX_GATEWAY_DEPTH + ")").exception();
            }
        }

        private void checkModel(String model) throws SQLException {
            if (knownModels.contains(model)) return;
            if (!Gateways.modelExists(c, model)) {
                throw RegistryRefusal.invalid("unknown-model", "modelId: device model '" + RegistryLimits.excerpt(model) + "' does not exist").exception();
            }
            knownModels.add(model);
        }

        private void readExisting(Set<String> ids) throws SQLException {
            List<String> all = new ArrayList<>(ids);
            for (int from = 0; from < all.size(); from += IDS_PER_SELECT) {
                List<String> chunk = all.subList(from, Math.min(all.size(), from + IDS_PER_SELECT));
                StringBuilder sql = new StringBuilder(DeviceRows.select("d")).append(" WHERE d.id IN (");
                for (int i = 0; i < chunk.size(); i++) sql.append(i == 0 ? "?" : ", ?");
                sql.append(')').append(Sql.forUpdate(dialect));
                try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                    for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Device d = DeviceRows.read(rs);
                            existing.put(d.id().value(), d);
                        }
                    }
                }
            }
        }

        private Device readOne(String id) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(DeviceRows.select("d") + " WHERE d.id = ?" + Sql.forUpdate(dialect))) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? DeviceRows.read(rs) : null;
                }
            }
        }

        /** Writes pending inserts and updates; an update that finds its row changed fails the batch. */
        private void flush() throws SQLException {
            for (int from = 0; from < inserts.size(); from += ROWS_PER_INSERT) {
                int n = Math.min(ROWS_PER_INSERT, inserts.size() - from);
                // Inserted rows are new devices from prepare(): their constant columns go in as literals.
                if (n == ROWS_PER_INSERT) {
                    PreparedStatement ps = fullInsert(c);
                    int p = 1;
                    for (int i = 0; i < n; i++) p = DeviceRows.bindInsertNew(ps, p, inserts.get(from + i));
                    ps.executeUpdate();
                    continue;
                }
                String sql = insertSql.computeIfAbsent(n, k -> DeviceRows.insertNew(dialect, k));
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int p = 1;
                    for (int i = 0; i < n; i++) p = DeviceRows.bindInsertNew(ps, p, inserts.get(from + i));
                    ps.executeUpdate();
                }
            }
            inserts.clear();
            if (!updates.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(updateSql)) {
                    for (int i = 0; i < updates.size(); i++) {
                        DeviceRows.bindUpdate(ps, updates.get(i), updateVersions.get(i));
                        ps.addBatch();
                    }
                    for (int n : ps.executeBatch()) {
                        if (n != 1 && n != PreparedStatement.SUCCESS_NO_INFO) throw new SQLException("a device changed while the import batch was applied");
                    }
                }
                updates.clear();
                updateVersions.clear();
            }
        }
    }
}
