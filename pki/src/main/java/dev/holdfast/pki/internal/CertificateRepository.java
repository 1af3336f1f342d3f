package dev.holdfast.pki.internal;

import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.CertificateFilter;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.RevocationReason;
import dev.holdfast.store.Database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** JDBC access to the {@code certificate} table. */
public final class CertificateRepository {
    private static final String COLUMNS = "serial, ca_name, profile, subject, common_name, device_id, sha256, not_before, not_after, issued_at, status, revoked_at, reason, der";
    private final Database db;

    public CertificateRepository(Database db) {
        this.db = db;
    }

    /** Stores a new certificate; inside a caller's transaction, as part of it. */
    public void insert(IssuedCertificate c, String actor) {
        db.inTransaction(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO certificate (" + COLUMNS + ", actor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, c.serialHex());
                ps.setString(2, c.caName());
                ps.setString(3, c.profile().id());
                ps.setString(4, c.subject());
                ps.setString(5, c.commonName());
                ps.setString(6, c.deviceId().orElse(null));
                ps.setString(7, c.sha256());
                ps.setLong(8, c.notBefore().getEpochSecond());
                ps.setLong(9, c.notAfter().getEpochSecond());
                ps.setLong(10, c.issuedAt().toEpochMilli());
                ps.setString(11, c.status().name());
                ps.setObject(12, null);
                ps.setObject(13, null);
                ps.setBytes(14, c.der().toArray());
                ps.setString(15, actor);
                ps.executeUpdate();
                return null;
            }
        });
    }

    /** Marks the certificate revoked; returns false when it was already revoked or does not exist. */
    public boolean markRevoked(String serialHex, Instant at, RevocationReason reason) {
        return db.withConnection(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("UPDATE certificate SET status = 'REVOKED', revoked_at = ?, reason = ? WHERE serial = ? AND status = 'GOOD'")) {
                ps.setLong(1, at.getEpochSecond());
                ps.setInt(2, reason.code());
                ps.setString(3, serialHex);
                return ps.executeUpdate() == 1;
            }
        });
    }

    public Optional<IssuedCertificate> find(String serialHex) {
        List<IssuedCertificate> l = search(CertificateFilter.bySerial(serialHex));
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    public List<IssuedCertificate> search(CertificateFilter f) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM certificate WHERE 1=1");
        List<Object> args = new ArrayList<>();
        f.serialHex().ifPresent(v -> { sql.append(" AND serial = ?"); args.add(v); });
        f.commonName().ifPresent(v -> { sql.append(" AND common_name = ?"); args.add(v); });
        f.deviceId().ifPresent(v -> { sql.append(" AND device_id = ?"); args.add(v); });
        f.sha256().ifPresent(v -> { sql.append(" AND sha256 = ?"); args.add(v); });
        f.caName().ifPresent(v -> { sql.append(" AND ca_name = ?"); args.add(v); });
        f.status().ifPresent(v -> { sql.append(" AND status = ?"); args.add(v.name()); });
        f.afterSerialHex().ifPresent(v -> { sql.append(" AND serial > ?"); args.add(v); });
        sql.append(" ORDER BY serial LIMIT ").append(f.limit());
        return db.withConnection(conn -> {
            try (PreparedStatement ps = conn.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
                List<IssuedCertificate> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(read(rs));
                }
                return out;
            }
        });
    }

    /** Streams every revoked certificate of one CA (serial, revocation time, reason) in serial order. */
    public void forEachRevoked(String caName, RevokedRow consumer) {
        db.withConnection(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT serial, revoked_at, reason FROM certificate WHERE ca_name = ? AND status = 'REVOKED' ORDER BY serial")) {
                ps.setString(1, caName);
                ps.setFetchSize(10_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) consumer.accept(rs.getString(1), rs.getLong(2), rs.getInt(3));
                }
            }
            return null;
        });
    }

    /** Every revoked serial, for the in-memory revocation set loaded at start. */
    public void forEachRevokedSerial(Consumer<String> consumer) {
        db.withConnection(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT serial FROM certificate WHERE status = 'REVOKED'")) {
                ps.setFetchSize(10_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) consumer.accept(rs.getString(1));
                }
            }
            return null;
        });
    }

    /**
     * Good certificates not yet warned about whose remaining lifetime is below the warning window, or
     * below a third of their lifetime when that is shorter (so a 7-day certificate is not "expiring"
     * from birth). OCSP responder certificates are renewed by the server itself and are left out.
     */
    public List<IssuedCertificate> expiringUnwarned(Instant now, java.time.Duration window, int limit) {
        return db.withConnection(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS + " FROM certificate WHERE status = 'GOOD' AND expiry_warned = 0"
                    + " AND profile <> 'ocsp-responder'"
                    + " AND not_after - (CASE WHEN (not_after - not_before) / 3 < ? THEN (not_after - not_before) / 3 ELSE ? END) <= ?"
                    + " ORDER BY not_after LIMIT " + limit)) {
                ps.setLong(1, window.toSeconds());
                ps.setLong(2, window.toSeconds());
                ps.setLong(3, now.getEpochSecond());
                List<IssuedCertificate> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(read(rs));
                }
                return out;
            }
        });
    }

    public void markExpiryWarned(String serialHex) {
        db.withConnection(conn -> {
            try (PreparedStatement ps = conn.prepareStatement("UPDATE certificate SET expiry_warned = 1 WHERE serial = ?")) {
                ps.setString(1, serialHex);
                return ps.executeUpdate();
            }
        });
    }

    public long count(Connection conn) throws SQLException {
        try (ResultSet rs = conn.createStatement().executeQuery("SELECT COUNT(*) FROM certificate")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @FunctionalInterface
    public interface RevokedRow {
        void accept(String serialHex, long revokedAtEpochSecond, int reasonCode);
    }

    private static IssuedCertificate read(ResultSet rs) throws SQLException {
        long revokedAt = rs.getLong(12);
        boolean revoked = !rs.wasNull();
        int reason = rs.getInt(13);
        return new IssuedCertificate(rs.getString(1), rs.getString(2), Profile.parse(rs.getString(3)), rs.getString(4),
                rs.getString(5), Optional.ofNullable(rs.getString(6)), rs.getString(7),
                Instant.ofEpochSecond(rs.getLong(8)), Instant.ofEpochSecond(rs.getLong(9)), Instant.ofEpochMilli(rs.getLong(10)),
                IssuedCertificate.Status.valueOf(rs.getString(11)),
                revoked ? Optional.of(Instant.ofEpochSecond(revokedAt)) : Optional.empty(),
                revoked ? Optional.of(RevocationReason.ofCode(reason)) : Optional.empty(),
                Bytes.wrapOwned(rs.getBytes(14)));
    }
}
