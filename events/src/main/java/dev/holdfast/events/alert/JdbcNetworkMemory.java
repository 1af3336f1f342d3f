package dev.holdfast.events.alert;

import dev.holdfast.store.Database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** {@link NetworkMemory} in the {@code alert_device_network} table, so learnt networks survive restarts. */
public final class JdbcNetworkMemory implements NetworkMemory {
    private final Database db;

    public JdbcNetworkMemory(Database db) {
        this.db = db;
        db.migrate("events");
    }

    @Override
    public Sighting remember(String rule, String device, String network) {
        return db.inTransaction(c -> {
            int known = 0;
            boolean thisOne = false;
            try (PreparedStatement ps = c.prepareStatement("SELECT network FROM alert_device_network WHERE rule = ? AND device_id = ?")) {
                ps.setString(1, rule);
                ps.setString(2, device);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        known++;
                        if (rs.getString(1).equals(network)) thisOne = true;
                    }
                }
            }
            if (thisOne) return Sighting.KNOWN_NETWORK;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO alert_device_network (rule, device_id, network, first_seen) VALUES (?,?,?,?)")) {
                ps.setString(1, rule);
                ps.setString(2, device);
                ps.setString(3, network);
                ps.setLong(4, System.currentTimeMillis());
                ps.executeUpdate();
            }
            return known == 0 ? Sighting.FIRST_NETWORK : Sighting.NEW_NETWORK;
        });
    }
}
