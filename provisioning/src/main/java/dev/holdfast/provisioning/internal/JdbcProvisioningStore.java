package dev.holdfast.provisioning.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.pki.Bytes;
import dev.holdfast.provisioning.Enrollment;
import dev.holdfast.provisioning.EnrollmentAttestation;
import dev.holdfast.provisioning.EnrollmentJson;
import dev.holdfast.provisioning.EnrollmentSettings;
import dev.holdfast.provisioning.LinkedHub;
import dev.holdfast.provisioning.ManufacturerCa;
import dev.holdfast.provisioning.ProvisioningRefusal;
import dev.holdfast.provisioning.RegistrationState;
import dev.holdfast.provisioning.RegistrationStatus;
import dev.holdfast.provisioning.Substatus;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreException;

import java.io.IOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Rows of the provisioning tables (see {@code db/provisioning/V1__provisioning.sql}). */
public final class JdbcProvisioningStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Database db;

    public JdbcProvisioningStore(Database db) {
        this.db = db;
    }

    public Database database() {
        return db;
    }

    /** The id scope, made on first call: {@code 0ne} and 8 random upper-case hex digits, as Azure's look. */
    public String idScope(Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id_scope FROM prov_scope WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
                if (rs.next()) return rs.getString(1);
            }
            byte[] r = new byte[4];
            new SecureRandom().nextBytes(r);
            String scope = "0ne" + HexFormat.of().withUpperCase().formatHex(r);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO prov_scope (id, id_scope, created_at) VALUES (1, ?, ?)")) {
                ps.setString(1, scope);
                ps.setLong(2, now.toEpochMilli());
                ps.executeUpdate();
            }
            return scope;
        });
    }

    // ---- linked hubs

    /** Inserts or replaces the hub of that name. */
    public void putHub(LinkedHub h, Instant now) {
        db.inTransaction(c -> {
            int n;
            try (PreparedStatement ps = c.prepareStatement("UPDATE prov_linked_hub SET host_name = ?, weight = ?, region = ?, enabled = ?, updated_at = ? WHERE name = ?")) {
                ps.setString(1, h.hostName());
                ps.setInt(2, h.weight());
                ps.setString(3, h.region());
                ps.setInt(4, h.enabled() ? 1 : 0);
                ps.setLong(5, now.toEpochMilli());
                ps.setString(6, h.name());
                n = ps.executeUpdate();
            }
            if (n == 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO prov_linked_hub (name, host_name, weight, region, enabled, created_at, updated_at) VALUES (?,?,?,?,?,?,?)")) {
                    ps.setString(1, h.name());
                    ps.setString(2, h.hostName());
                    ps.setInt(3, h.weight());
                    ps.setString(4, h.region());
                    ps.setInt(5, h.enabled() ? 1 : 0);
                    ps.setLong(6, now.toEpochMilli());
                    ps.setLong(7, now.toEpochMilli());
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    public boolean deleteHub(String name) {
        return db.withConnection(c -> update(c, "DELETE FROM prov_linked_hub WHERE name = ?", name) > 0);
    }

    public List<LinkedHub> hubs() {
        return db.withConnection(c -> {
            List<LinkedHub> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name, host_name, weight, region, enabled FROM prov_linked_hub ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new LinkedHub(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getInt(5) == 1));
            }
            return out;
        });
    }

    // ---- manufacturer CAs

    public void insertCa(ManufacturerCa ca) {
        try {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO prov_manufacturer_ca (name, certificate, sha256, subject, verified, verification_code, crl, created_at, verified_at) VALUES (?,?,?,?,?,?,?,?,?)")) {
                    ps.setString(1, ca.name());
                    ps.setBytes(2, ca.certificateDer().toArray());
                    ps.setString(3, ca.sha256());
                    ps.setString(4, ca.subject());
                    ps.setInt(5, ca.verified() ? 1 : 0);
                    ps.setString(6, ca.verificationCode());
                    if (ca.crlDer().isPresent()) ps.setBytes(7, ca.crlDer().get().toArray());
                    else ps.setNull(7, Types.BINARY);
                    ps.setLong(8, ca.createdAt().toEpochMilli());
                    ps.setNull(9, Types.BIGINT);
                    ps.executeUpdate();
                }
                return null;
            });
        } catch (StoreException e) {
            if (isUniqueViolation(e)) {
                throw ProvisioningRefusal.conflict("ca-exists", "a manufacturer CA named '" + ca.name() + "' or with thumbprint " + ca.sha256() + " exists").exception();
            }
            throw e;
        }
    }

    public Optional<ManufacturerCa> ca(String name) {
        List<ManufacturerCa> l = cas("WHERE name = ?", name);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    public List<ManufacturerCa> cas() {
        return cas("", null);
    }

    private List<ManufacturerCa> cas(String where, String arg) {
        return db.withConnection(c -> {
            List<ManufacturerCa> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name, certificate, sha256, subject, verified, verification_code, crl, created_at, verified_at FROM prov_manufacturer_ca "
                    + where + " ORDER BY name")) {
                if (arg != null) ps.setString(1, arg);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        byte[] crl = rs.getBytes(7);
                        long va = rs.getLong(9);
                        boolean vaNull = rs.wasNull();
                        out.add(new ManufacturerCa(rs.getString(1), Bytes.wrapOwned(rs.getBytes(2)), rs.getString(3), rs.getString(4), rs.getInt(5) == 1,
                                rs.getString(6), Optional.ofNullable(crl).map(Bytes::wrapOwned), Instant.ofEpochMilli(rs.getLong(8)),
                                vaNull ? Optional.empty() : Optional.of(Instant.ofEpochMilli(va))));
                    }
                }
            }
            return out;
        });
    }

    public void markVerified(String name, Instant now) {
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE prov_manufacturer_ca SET verified = 1, verified_at = ? WHERE name = ?")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, name);
                return ps.executeUpdate();
            }
        });
    }

    public void setCrl(String name, Optional<Bytes> crl) {
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE prov_manufacturer_ca SET crl = ? WHERE name = ?")) {
                if (crl.isPresent()) ps.setBytes(1, crl.get().toArray());
                else ps.setNull(1, Types.BINARY);
                ps.setString(2, name);
                return ps.executeUpdate();
            }
        });
    }

    public boolean deleteCa(String name) {
        return db.withConnection(c -> update(c, "DELETE FROM prov_manufacturer_ca WHERE name = ?", name) > 0);
    }

    // ---- enrollments

    public void insertEnrollment(Enrollment e) {
        try {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO prov_enrollment (kind, id, attestation, ca_name, thumbprint, device_id, settings, enabled, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
                    bindEnrollment(ps, e);
                    ps.executeUpdate();
                }
                return null;
            });
        } catch (StoreException ex) {
            if (isUniqueViolation(ex)) throw ProvisioningRefusal.conflict("enrollment-exists", "enrollment " + e.reference() + " exists").exception();
            throw ex;
        }
    }

    private static void bindEnrollment(PreparedStatement ps, Enrollment e) throws SQLException {
        String kind = e instanceof Enrollment.Group ? "group" : "individual";
        String id = e instanceof Enrollment.Group g ? g.id() : ((Enrollment.Individual) e).registrationId();
        ps.setString(1, kind);
        ps.setString(2, id);
        ps.setString(3, EnrollmentJson.attestation(e.attestation()).toString());
        ps.setString(4, e.attestation() instanceof EnrollmentAttestation.X509Ca ca ? ca.caName() : null);
        ps.setString(5, e.attestation() instanceof EnrollmentAttestation.X509Leaf l ? l.thumbprint() : null);
        ps.setString(6, e instanceof Enrollment.Individual i ? i.deviceId().orElse(null) : null);
        ps.setString(7, EnrollmentJson.settings(e.settings()).toString());
        ps.setInt(8, e.settings().enabled() ? 1 : 0);
        ps.setLong(9, e.createdAt().toEpochMilli());
        ps.setLong(10, e.updatedAt().toEpochMilli());
        ps.setLong(11, e.version());
    }

    /** Writes new settings; false when the enrollment does not exist. */
    public boolean updateSettings(String kind, String id, EnrollmentSettings s, Instant now) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE prov_enrollment SET settings = ?, enabled = ?, updated_at = ?, version = version + 1 WHERE kind = ? AND id = ?")) {
                ps.setString(1, EnrollmentJson.settings(s).toString());
                ps.setInt(2, s.enabled() ? 1 : 0);
                ps.setLong(3, now.toEpochMilli());
                ps.setString(4, kind);
                ps.setString(5, id);
                return ps.executeUpdate() > 0;
            }
        });
    }

    public boolean deleteEnrollment(String kind, String id) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM prov_enrollment WHERE kind = ? AND id = ?")) {
                ps.setString(1, kind);
                ps.setString(2, id);
                return ps.executeUpdate() > 0;
            }
        });
    }

    public Optional<Enrollment> enrollment(String kind, String id) {
        List<Enrollment> l = enrollments("WHERE kind = ? AND id = ?", kind, id);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    public List<Enrollment> enrollments(String kind) {
        return enrollments("WHERE kind = ?", kind);
    }

    /** The groups anchored on one manufacturer CA (indexed). */
    public List<Enrollment> groupsOfCa(String caName) {
        return enrollments("WHERE kind = 'group' AND ca_name = ?", caName);
    }

    public long countGroupsOfCa(String caName) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM prov_enrollment WHERE ca_name = ?")) {
                ps.setString(1, caName);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private List<Enrollment> enrollments(String where, String... args) {
        return db.withConnection(c -> {
            List<Enrollment> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT kind, id, attestation, device_id, settings, created_at, updated_at, version FROM prov_enrollment "
                    + where + " ORDER BY kind, id")) {
                for (int i = 0; i < args.length; i++) ps.setString(i + 1, args[i]);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        EnrollmentAttestation a = EnrollmentJson.attestationFrom(tree(rs.getString(3)));
                        EnrollmentSettings s = EnrollmentJson.settingsFrom(tree(rs.getString(5)));
                        Instant created = Instant.ofEpochMilli(rs.getLong(6));
                        Instant updated = Instant.ofEpochMilli(rs.getLong(7));
                        long version = rs.getLong(8);
                        if (rs.getString(1).equals("group")) {
                            out.add(new Enrollment.Group(rs.getString(2), (EnrollmentAttestation.X509Ca) a, s, created, updated, version));
                        } else {
                            out.add(new Enrollment.Individual(rs.getString(2), a, Optional.ofNullable(rs.getString(4)), s, created, updated, version));
                        }
                    }
                }
            }
            return out;
        });
    }

    // ---- registrations and operations

    public Optional<RegistrationState> registration(String registrationId) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT registration_id, device_id, assigned_hub, status, substatus, enrollment, created_at, updated_at, version, payload FROM prov_registration WHERE registration_id = ?")) {
                ps.setString(1, registrationId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.empty();
                    return Optional.of(new RegistrationState(rs.getString(1), rs.getString(2), rs.getString(3), RegistrationStatus.parse(rs.getString(4)),
                            Substatus.parse(rs.getString(5)), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)), Instant.ofEpochMilli(rs.getLong(8)),
                            rs.getLong(9), rs.getString(10), List.of()));
                }
            }
        });
    }

    /** Registrations of a device (normally one). */
    public List<String> registrationIdsOfDevice(String deviceId) {
        return db.withConnection(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT registration_id FROM prov_registration WHERE device_id = ?")) {
                ps.setString(1, deviceId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    public void putRegistration(RegistrationState s) {
        db.inTransaction(c -> {
            int n;
            try (PreparedStatement ps = c.prepareStatement("UPDATE prov_registration SET device_id = ?, enrollment = ?, assigned_hub = ?, status = ?, substatus = ?, payload = ?, updated_at = ?, version = ? WHERE registration_id = ?")) {
                ps.setString(1, s.deviceId());
                ps.setString(2, s.enrollment());
                ps.setString(3, s.assignedHub());
                ps.setString(4, s.status().wireName());
                ps.setString(5, s.substatus().wireName());
                ps.setString(6, s.payload());
                ps.setLong(7, s.updatedAt().toEpochMilli());
                ps.setLong(8, s.version());
                ps.setString(9, s.registrationId());
                n = ps.executeUpdate();
            }
            if (n == 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO prov_registration (registration_id, device_id, enrollment, assigned_hub, status, substatus, payload, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
                    ps.setString(1, s.registrationId());
                    ps.setString(2, s.deviceId());
                    ps.setString(3, s.enrollment());
                    ps.setString(4, s.assignedHub());
                    ps.setString(5, s.status().wireName());
                    ps.setString(6, s.substatus().wireName());
                    ps.setString(7, s.payload());
                    ps.setLong(8, s.createdAt().toEpochMilli());
                    ps.setLong(9, s.updatedAt().toEpochMilli());
                    ps.setLong(10, s.version());
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    public void setRegistrationStatus(String registrationId, RegistrationStatus status, Instant now) {
        db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE prov_registration SET status = ?, updated_at = ?, version = version + 1 WHERE registration_id = ?")) {
                ps.setString(1, status.wireName());
                ps.setLong(2, now.toEpochMilli());
                ps.setString(3, registrationId);
                return ps.executeUpdate();
            }
        });
    }

    /** A stored operation. */
    public record StoredOperation(String operationId, String registrationId, String requestHash, String credential, RegistrationStatus status,
                                  String result, Instant createdAt) {
    }

    public void insertOperation(StoredOperation op) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO prov_operation (operation_id, registration_id, request_hash, credential, status, result, created_at) VALUES (?,?,?,?,?,?,?)")) {
                ps.setString(1, op.operationId());
                ps.setString(2, op.registrationId());
                ps.setString(3, op.requestHash());
                ps.setString(4, op.credential());
                ps.setString(5, op.status().wireName());
                ps.setString(6, op.result());
                ps.setLong(7, op.createdAt().toEpochMilli());
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Optional<StoredOperation> operation(String operationId) {
        return operations("WHERE operation_id = ?", operationId, null).stream().findFirst();
    }

    /** The latest operation of a registration id created at or after {@code since}. */
    public Optional<StoredOperation> latestOperation(String registrationId, Instant since) {
        return operations("WHERE registration_id = ? AND created_at >= ? ORDER BY created_at DESC", registrationId, since).stream().findFirst();
    }

    /** Drops operations older than {@code before}; returns how many. */
    public int purgeOperations(Instant before) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM prov_operation WHERE created_at < ?")) {
                ps.setLong(1, before.toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    private List<StoredOperation> operations(String where, String arg, Instant since) {
        return db.withConnection(c -> {
            List<StoredOperation> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT operation_id, registration_id, request_hash, credential, status, result, created_at FROM prov_operation " + where)) {
                ps.setString(1, arg);
                if (since != null) ps.setLong(2, since.toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && out.size() < 1) {
                        out.add(new StoredOperation(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                RegistrationStatus.parse(rs.getString(5)), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7))));
                    }
                }
            }
            return out;
        });
    }

    // ---- TPM challenges (V2): the open challenges, and the one-time-use ledger of TpmAttestation

    /** Stores an open challenge ({@code record} is its JSON) and purges the ones that expired before {@code now}. */
    public void putTpmChallenge(String id, String registrationId, String record, Instant createdAt, Instant expiresAt) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM prov_tpm_challenge WHERE expires_at < ?")) {
                ps.setLong(1, createdAt.toEpochMilli());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO prov_tpm_challenge (id, registration_id, record, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, registrationId);
                ps.setString(3, record);
                ps.setLong(4, createdAt.toEpochMilli());
                ps.setLong(5, expiresAt.toEpochMilli());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The open challenge {@code id} made for {@code registrationId}, as stored JSON. */
    public Optional<String> tpmChallenge(String id, String registrationId) {
        return db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT record FROM prov_tpm_challenge WHERE id = ? AND registration_id = ?")) {
                ps.setString(1, id);
                ps.setString(2, registrationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    /** Consumes a challenge: true for the one caller whose single-row DELETE removed it, false afterwards (a replay). */
    public boolean consumeTpmChallenge(String id) {
        return db.withConnection(c -> update(c, "DELETE FROM prov_tpm_challenge WHERE id = ?", id) == 1);
    }

    private static int update(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            return ps.executeUpdate();
        }
    }

    private static JsonNode tree(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException("stored JSON does not parse", e);
        }
    }

    static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                if ("23505".equals(s.getSQLState())) return true;
                String m = String.valueOf(s.getMessage());
                if (m.contains("UNIQUE constraint failed") || m.contains("PRIMARYKEY")) return true;
            }
        }
        return false;
    }
}
