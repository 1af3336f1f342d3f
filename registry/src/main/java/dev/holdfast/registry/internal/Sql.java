package dev.holdfast.registry.internal;

import dev.holdfast.store.Dialect;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/** The few SQL spellings that differ between SQLite and PostgreSQL, and typed binding helpers. */
final class Sql {
    private Sql() {
    }

    /** A parameter stored into a JSON column: TEXT on SQLite, a cast to JSONB on PostgreSQL. */
    static String jsonParam(Dialect d) {
        return d == Dialect.POSTGRESQL ? "CAST(? AS JSONB)" : "?";
    }

    /** Row locks for read-then-write inside a transaction; SQLite's write lock already covers it. */
    static String forUpdate(Dialect d) {
        return d == Dialect.POSTGRESQL ? " FOR UPDATE" : "";
    }

    /** True for a duplicate key (SQLite constraint errors, PostgreSQL 23505). */
    static boolean isUniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                if ("23505".equals(s.getSQLState())) return true;
                String m = String.valueOf(s.getMessage());
                if (m.contains("UNIQUE constraint failed") || m.contains("PRIMARYKEY")) return true;
            }
        }
        return false;
    }

    /** True for a foreign key violation (SQLite FOREIGN KEY constraint, PostgreSQL 23503). */
    static boolean isForeignKeyViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                if ("23503".equals(s.getSQLState())) return true;
                if (String.valueOf(s.getMessage()).contains("FOREIGN KEY constraint failed")) return true;
            }
        }
        return false;
    }

    static void setString(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) ps.setNull(i, Types.VARCHAR);
        else ps.setString(i, v);
    }

    static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) ps.setNull(i, Types.BIGINT);
        else ps.setLong(i, v);
    }

    static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null) ps.setNull(i, Types.DOUBLE);
        else ps.setDouble(i, v);
    }

    static Long getLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static Double getDouble(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }
}
