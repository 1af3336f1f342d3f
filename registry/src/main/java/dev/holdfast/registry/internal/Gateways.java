package dev.holdfast.registry.internal;

import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.RegistryLimits;
import dev.holdfast.registry.RegistryRefusal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The rules on parents and models that need the database: a parent exists, is a gateway, is not the
 * device itself or one of its descendants, and the chain of gateways stays within
 * {@link RegistryLimits#MAX_GATEWAY_DEPTH}; a model exists.
 */
final class Gateways {
    private Gateways() {
    }

    /** A device as a possible parent: whether it is a gateway and its own parent. */
    record Node(String id, boolean gateway, String parent) {
    }

    static Node node(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, capabilities, parent_id FROM device WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                return new Node(rs.getString(1), Json.object(rs.getString(2)).path("gateway").asBoolean(false), rs.getString(3));
            }
        }
    }

    /**
     * Refuses {@code parent} for {@code child} unless it exists, is a gateway, is not {@code child} or
     * below it, and the resulting depth fits. {@code childMayHaveDescendants}: count the levels below
     * {@code child} too (an existing device being moved).
     */
    static void checkParent(Connection c, DeviceId child, DeviceId parent, boolean childMayHaveDescendants) throws SQLException {
        if (parent.equals(child)) {
            throw RegistryRefusal.invalid("invalid-parent", "parentId: device '" + child.value() + "' cannot be its own parent").exception();
        }
        Node p = node(c, parent.value());
        if (p == null) throw RegistryRefusal.invalid("unknown-parent", "parentId: device '" + parent.value() + "' does not exist").exception();
        if (!p.gateway()) {
            throw RegistryRefusal.invalid("parent-not-gateway", "parentId: device '" + parent.value() + "' is not a gateway (capabilities.gateway is false)").exception();
        }
        int ancestors = 1;
        String up = p.parent();
        while (up != null) {
            if (up.equals(child.value())) {
                throw RegistryRefusal.conflict("parent-cycle", "parentId: device '" + parent.value() + "' is below device '" + child.value()
                        + "'; a gateway cannot be its own ancestor").exception();
            }
            ancestors++;
            if (ancestors > RegistryLimits.MAX_GATEWAY_DEPTH) break;
            Node n = node(c, up);
            up = n == null ? null : n.parent();
        }
        int below = childMayHaveDescendants ? height(c, child.value()) : 0;
        if (ancestors + below > RegistryLimits.MAX_GATEWAY_DEPTH) {
            throw RegistryRefusal.invalid("gateway-depth", "parentId: device '" + child.value() + "' under '" + parent.value() + "' would nest "
                    + (ancestors + below) + " gateways deep (expected: at most " + RegistryLimits.MAX_GATEWAY_DEPTH + ")").exception();
        }
    }

    /** Levels of devices below {@code id}: 0 when it has no children. */
    static int height(Connection c, String id) throws SQLException {
        String sql = "WITH RECURSIVE sub(id, h) AS (SELECT id, 1 FROM device WHERE parent_id = ? "
                + "UNION ALL SELECT d.id, s.h + 1 FROM device d JOIN sub s ON d.parent_id = s.id WHERE s.h <= "
                + RegistryLimits.MAX_GATEWAY_DEPTH + ") SELECT COALESCE(MAX(h), 0) FROM sub";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    static boolean hasChildren(Connection c, DeviceId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM device WHERE parent_id = ? LIMIT 1")) {
            ps.setString(1, id.value());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static void checkModel(Connection c, String model) throws SQLException {
        if (!modelExists(c, model)) {
            throw RegistryRefusal.invalid("unknown-model", "modelId: device model '" + RegistryLimits.excerpt(model) + "' does not exist").exception();
        }
    }

    static boolean modelExists(Connection c, String model) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM device_model WHERE id = ?")) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
