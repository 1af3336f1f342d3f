package dev.holdfast.registry.query;

import dev.holdfast.store.Database;
import dev.holdfast.store.Dialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The indexes that make common fleet filters fast, created when missing (idempotent, safe at every
 * start). Requires the registry's migrations to have run.
 *
 * <ul>
 *   <li>For each <em>hot path</em> (a member of tags, desired or reported properties or capabilities,
 *       written with plain names, such as {@code tags.site}), a B-tree index on the value, then the
 *       device id, so an equality or a range on it reads only matching rows, already in page order:
 *       on SQLite {@code (json_extract(tags,'$.site'), json_type(tags,'$.site'), id)}, on PostgreSQL
 *       {@code ((tags -> 'site'), id)}. The query compiler writes the same expressions.</li>
 *   <li>On PostgreSQL also GIN indexes ({@code jsonb_path_ops}) on {@code tags} and {@code reported},
 *       which serve equality on any other member through containment ({@code tags @> '{"a":1}'}).</li>
 * </ul>
 * Every index costs write time and space; keep the hot list to the paths fleets are filtered by.
 */
public final class QueryIndexes {
    private static final Logger log = LoggerFactory.getLogger(QueryIndexes.class);

    /** What the registry indexes when not told otherwise. */
    public static final List<String> DEFAULT_HOT_PATHS = List.of("tags.site", "tags.zone", "properties.reported.fw.version");

    private QueryIndexes() {
    }

    /**
     * Creates the indexes for {@code hotPaths} (and on PostgreSQL the GIN indexes) where missing,
     * and on PostgreSQL refreshes the planner's statistics when it created any.
     *
     * @return the names of all the indexes this maintains, created now or before
     * @throws IllegalArgumentException for a path that is not a plain member path of a JSON document
     */
    public static List<String> ensure(Database database, List<String> hotPaths) {
        Set<FieldPath> paths = parse(hotPaths);
        Dialect dialect = database.dialect();
        List<String> names = new ArrayList<>();
        List<String> created = new ArrayList<>();
        database.withConnection(c -> {
            for (FieldPath p : paths) {
                String name = indexName(p);
                names.add(name);
                if (!exists(c, dialect, name)) {
                    execute(c, "CREATE INDEX IF NOT EXISTS " + name + " ON device (" + expression(p, dialect) + ", id)");
                    created.add(name);
                }
            }
            if (dialect == Dialect.POSTGRESQL) {
                for (String column : List.of("tags", "reported")) {
                    String name = "dq_" + column + "_gin";
                    names.add(name);
                    if (!exists(c, dialect, name)) {
                        execute(c, "CREATE INDEX IF NOT EXISTS " + name + " ON device USING GIN (" + column + " jsonb_path_ops)");
                        created.add(name);
                    }
                }
                if (!created.isEmpty()) execute(c, "ANALYZE device");
            }
            return null;
        });
        if (!created.isEmpty()) log.info("query indexes created: {}", created);
        return List.copyOf(names);
    }

    /** Parses and checks hot paths; the set the compiler treats as B-tree indexed. */
    static Set<FieldPath> parse(List<String> hotPaths) {
        Set<FieldPath> paths = new LinkedHashSet<>();
        for (String text : hotPaths) {
            FieldPath p;
            try {
                p = QueryParser.parsePath(text);
            } catch (QuerySyntaxException e) {
                throw new IllegalArgumentException("hotPaths: " + text + " (" + e.getMessage() + ")");
            }
            if (!p.field().isDocument() || p.keys().isEmpty() || !p.isPlain()) {
                throw new IllegalArgumentException("hotPaths: " + text
                        + " (expected: a member of tags, properties.desired, properties.reported or capabilities with plain names, e.g. tags.site)");
            }
            paths.add(p);
        }
        return paths;
    }

    /** The index expression, written exactly as {@link SqlOperand} writes the value. */
    static String expression(FieldPath p, Dialect dialect) {
        Sql s = new Sql();
        String column = p.field().column();
        if (dialect == Dialect.SQLITE) {
            s.raw("json_extract(" + column + ", ").sqliteJsonPathLiteral(p.keys()).raw("), json_type(" + column + ", ")
                    .sqliteJsonPathLiteral(p.keys()).raw(")");
        } else {
            s.raw("(" + column);
            for (String k : p.keys()) s.raw(" -> ").identifierLiteral(k);
            s.raw(")");
        }
        if (!s.params().isEmpty()) throw new IllegalStateException("index expression with parameters: " + p);
        return s.toString();
    }

    /** {@code dq_<path>_<8 hex of its SHA-256>}: stable, unique, within PostgreSQL's 63 characters. */
    static String indexName(FieldPath p) {
        String text = p.text();
        String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        if (slug.length() > 40) slug = slug.substring(0, 40);
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "dq_" + slug + "_" + HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static boolean exists(Connection c, Dialect dialect, String name) throws SQLException {
        String sql = dialect == Dialect.SQLITE
                ? "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?"
                : "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void execute(Connection c, String ddl) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(ddl);
        }
    }
}
