package dev.holdfast.registry.internal;

import dev.holdfast.registry.DeviceModel;
import dev.holdfast.registry.DeviceModelCatalog;
import dev.holdfast.registry.RegistryLimits;
import dev.holdfast.registry.RegistryRefusal;
import dev.holdfast.store.Database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Device models in the {@code device_model} table. */
public final class JdbcDeviceModelCatalog implements DeviceModelCatalog {
    private static final String COLUMNS = "id, manufacturer, model, hardware_revision, end_of_support, security_update_horizon, created_at, updated_at";

    private final Database db;
    private final Clock clock;

    public JdbcDeviceModelCatalog(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public DeviceModel create(DeviceModel.Definition def, String actor) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO device_model (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                bind(ps, def);
                ps.setLong(7, now.toEpochMilli());
                ps.setLong(8, now.toEpochMilli());
                ps.executeUpdate();
            } catch (SQLException e) {
                if (Sql.isUniqueViolation(e)) throw RegistryRefusal.conflict("model-exists", "device model '" + def.id() + "' already exists").exception(e);
                throw e;
            }
            return null;
        });
        return new DeviceModel(def, now, now);
    }

    @Override
    public Optional<DeviceModel> find(String id) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM device_model WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<DeviceModel> list(Optional<String> after, int limit) {
        if (limit < 1 || limit > 1000) throw RegistryRefusal.invalid("invalid-limit", "limit: " + limit + " (expected: 1..1000)").exception();
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM device_model WHERE id > ? ORDER BY id LIMIT ?")) {
                ps.setString(1, after.orElse(""));
                ps.setInt(2, limit);
                List<DeviceModel> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(read(rs));
                }
                return out;
            }
        });
    }

    @Override
    public DeviceModel replace(DeviceModel.Definition def, String actor) {
        Instant now = Instant.ofEpochMilli(clock.millis());
        int n = db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE device_model SET manufacturer = ?, model = ?, hardware_revision = ?, "
                    + "end_of_support = ?, security_update_horizon = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, def.manufacturer());
                ps.setString(2, def.model());
                Sql.setString(ps, 3, def.hardwareRevision().orElse(null));
                Sql.setString(ps, 4, def.endOfSupport().map(LocalDate::toString).orElse(null));
                Sql.setString(ps, 5, def.securityUpdateHorizon().map(LocalDate::toString).orElse(null));
                ps.setLong(6, now.toEpochMilli());
                ps.setString(7, def.id());
                return ps.executeUpdate();
            }
        });
        if (n == 0) throw notFound(def.id());
        return get(def.id());
    }

    @Override
    public void delete(String id, String actor) {
        int n = db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM device_model WHERE id = ? AND NOT EXISTS (SELECT 1 FROM device d WHERE d.model_id = ?)")) {
                ps.setString(1, id);
                ps.setString(2, id);
                return ps.executeUpdate();
            } catch (SQLException e) {
                if (Sql.isForeignKeyViolation(e)) throw inUse(id, e);
                throw e;
            }
        });
        if (n == 1) return;
        if (find(id).isEmpty()) throw notFound(id);
        throw inUse(id, null);
    }

    private static dev.holdfast.registry.RegistryRefusedException inUse(String id, Throwable cause) {
        return RegistryRefusal.conflict("model-in-use", "device model '" + id + "' is the model of registered devices; change or delete them first")
                .exception(cause);
    }

    private static dev.holdfast.registry.RegistryRefusedException notFound(String id) {
        return RegistryRefusal.notFound("model-not-found", "device model '" + RegistryLimits.excerpt(id) + "' does not exist").exception();
    }

    private static void bind(PreparedStatement ps, DeviceModel.Definition def) throws SQLException {
        ps.setString(1, def.id());
        ps.setString(2, def.manufacturer());
        ps.setString(3, def.model());
        Sql.setString(ps, 4, def.hardwareRevision().orElse(null));
        Sql.setString(ps, 5, def.endOfSupport().map(LocalDate::toString).orElse(null));
        Sql.setString(ps, 6, def.securityUpdateHorizon().map(LocalDate::toString).orElse(null));
    }

    private static DeviceModel read(ResultSet rs) throws SQLException {
        DeviceModel.Definition def = new DeviceModel.Definition(rs.getString("id"), rs.getString("manufacturer"), rs.getString("model"),
                Optional.ofNullable(rs.getString("hardware_revision")),
                Optional.ofNullable(rs.getString("end_of_support")).map(LocalDate::parse),
                Optional.ofNullable(rs.getString("security_update_horizon")).map(LocalDate::parse));
        return new DeviceModel(def, Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
    }
}
