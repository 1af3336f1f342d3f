package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.registry.query.FleetQuery.AllColumns;
import dev.holdfast.registry.query.FleetQuery.Column;
import dev.holdfast.registry.query.FleetQuery.Columns;
import dev.holdfast.registry.query.FleetQuery.CountColumn;
import dev.holdfast.registry.query.FleetQuery.PathColumn;
import dev.holdfast.store.Database;
import dev.holdfast.store.Dialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * {@link DeviceQueries} over the registry's {@code device} table, on SQLite or PostgreSQL: each query
 * is parsed, compiled to one parameterized SELECT ({@link SqlCompiler}, which never splices a value
 * into SQL) and its rows are shown as device twins.
 *
 * <p>Pages use keyset pagination: a page is the next {@code pageSize} rows after the last row of the
 * previous one in (ORDER BY keys, device id) order, so a page never skips or repeats a row while the
 * data is unchanged, and a page deep into a large result costs what the first does. Continuation
 * tokens are opaque and tamper-evident ({@link ContinuationTokens}); a token is valid only with the
 * exact query text it came from.
 *
 * <p>Construction creates the {@link QueryIndexes} for the given hot paths when missing; the
 * registry's migrations must have run.
 */
public final class JdbcDeviceQueries implements DeviceQueries {
    private static final Logger log = LoggerFactory.getLogger(JdbcDeviceQueries.class);

    /** The largest page a caller may ask for. */
    public static final int MAX_PAGE_SIZE = 1000;
    /** Statements running longer are cancelled and fail with a StoreException. */
    static final int QUERY_TIMEOUT_SECONDS = 30;

    private final Database database;
    private final ContinuationTokens tokens;
    private final SqlCompiler compiler;
    private final List<String> indexes;
    /** Admission for queries when they run inside this process (SQLite); null when unlimited. */
    private final Semaphore admission;

    /**
     * With the {@link QueryIndexes#DEFAULT_HOT_PATHS}.
     *
     * @param continuationKey HMAC key for continuation tokens, at least 16 bytes (32 random bytes
     *                        recommended); copied. Tokens stay valid across restarts only if the key does.
     */
    public JdbcDeviceQueries(Database database, byte[] continuationKey) {
        this(database, continuationKey, QueryIndexes.DEFAULT_HOT_PATHS);
    }

    /**
     * @param hotPaths paths to index, such as {@code tags.site}; see {@link QueryIndexes#ensure}
     */
    public JdbcDeviceQueries(Database database, byte[] continuationKey, List<String> hotPaths) {
        this(database, continuationKey, hotPaths, defaultConcurrency(database));
    }

    /**
     * @param maxConcurrentQueries how many queries may run at once; the others wait their turn in
     *                             arrival order. {@code 0} for no limit. On SQLite the engine runs on
     *                             the caller's thread, so more queries at once than CPUs only
     *                             time-slice them, which stretches every one of them and mostly the
     *                             tail; the default there is the number of CPUs, and no limit on
     *                             PostgreSQL, whose server schedules its own work.
     */
    public JdbcDeviceQueries(Database database, byte[] continuationKey, List<String> hotPaths, int maxConcurrentQueries) {
        if (database == null) throw new IllegalArgumentException("database: null");
        if (maxConcurrentQueries < 0) {
            throw new IllegalArgumentException("maxConcurrentQueries: " + maxConcurrentQueries + " (expected: 0 for no limit, or more)");
        }
        this.tokens = new ContinuationTokens(continuationKey);
        this.database = database;
        this.compiler = new SqlCompiler(database.dialect(), QueryIndexes.parse(hotPaths));
        this.indexes = QueryIndexes.ensure(database, hotPaths);
        this.admission = maxConcurrentQueries == 0 ? null : new Semaphore(maxConcurrentQueries, true);
    }

    /** The number of CPUs on SQLite, no limit (0) on PostgreSQL. */
    public static int defaultConcurrency(Database database) {
        return database.dialect() == Dialect.SQLITE ? Math.max(1, Runtime.getRuntime().availableProcessors()) : 0;
    }

    /** The names of the indexes this maintains. */
    public List<String> indexes() {
        return indexes;
    }

    /**
     * @throws QuerySyntaxException     for a query that does not parse, or a continuation token not
     *                                  issued for this query
     * @throws IllegalArgumentException for a page size outside 1..{@value #MAX_PAGE_SIZE}
     * @throws dev.holdfast.store.StoreException when the database fails or the query times out
     */
    @Override
    public QueryPage execute(String query, Optional<String> continuation, int pageSize) {
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize: " + pageSize + " (expected: 1.." + MAX_PAGE_SIZE + ")");
        }
        FleetQuery q = QueryParser.parse(query);
        Optional<ContinuationTokens.Cursor> cursor = continuation == null ? Optional.empty() : continuation.map(t -> tokens.read(query, t));
        if (cursor.isPresent() && q.isCountOnly()) cursor = Optional.empty(); // one row, never continued
        int remaining = cursor.map(c -> c.remaining().orElse(Integer.MAX_VALUE)).orElse(q.top().orElse(Integer.MAX_VALUE));
        if (remaining <= 0) return new QueryPage(List.of(), Optional.empty());
        int take = Math.min(pageSize, remaining);
        SqlStatement st = compiler.compile(q, cursor.map(ContinuationTokens.Cursor::keyset), take + 1);
        if (log.isDebugEnabled()) log.debug("query {} as {}", query, st.sql());
        if (admission == null) return database.withConnection(c -> run(c, q, query, st, take, remaining));
        admission.acquireUninterruptibly(); // bounded: every query ends within QUERY_TIMEOUT_SECONDS
        try {
            return database.withConnection(c -> run(c, q, query, st, take, remaining));
        } finally {
            admission.release();
        }
    }

    private QueryPage run(Connection c, FleetQuery q, String query, SqlStatement st, int take, int remaining) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(st.sql())) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            bind(ps, st.params());
            try (ResultSet rs = ps.executeQuery()) {
                List<JsonNode> rows = new ArrayList<>();
                Set<String> columns = Set.copyOf(st.deviceColumns());
                boolean utf8 = database.dialect() == Dialect.SQLITE;
                Keyset last = null;
                boolean more = false;
                while (rs.next()) {
                    if (rows.size() == take) {
                        more = true;
                        break;
                    }
                    switch (st.shape()) {
                        case COUNT -> rows.add(countRow(q, rs.getLong("n")));
                        case GROUPS -> {
                            List<SortValue> keys = keys(rs, "g", st.keyCount());
                            rows.add(groupRow(q, keys, rs.getLong("n")));
                            last = new Keyset(keys, Optional.empty());
                        }
                        case ROWS -> {
                            ObjectNode twin = TwinRows.twin(rs, st.deviceColumns(), columns, utf8);
                            rows.add(q.selection() instanceof AllColumns ? twin : TwinRows.project(((Columns) q.selection()).columns(), twin));
                            last = new Keyset(keys(rs, "o", st.keyCount()), Optional.of(rs.getString("id")));
                        }
                    }
                }
                Optional<String> next = Optional.empty();
                if (more && take < remaining && last != null) {
                    OptionalInt left = remaining == Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of(remaining - take);
                    next = Optional.of(tokens.issue(query, last, left));
                }
                return new QueryPage(rows, next);
            }
        }
    }

    private static List<SortValue> keys(ResultSet rs, String prefix, int n) throws SQLException {
        List<SortValue> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int rank = rs.getInt(prefix + i + "r");
            BigDecimal num = SortValue.decimal(rs.getObject(prefix + i + "n"));
            String str = rs.getString(prefix + i + "s");
            keys.add(new SortValue(rank, num, str == null ? "" : str));
        }
        return keys;
    }

    private static JsonNode countRow(FleetQuery q, long n) {
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        for (Column col : ((Columns) q.selection()).columns()) row.put(col.name(), n);
        return row;
    }

    private static JsonNode groupRow(FleetQuery q, List<SortValue> keys, long n) {
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        for (Column col : ((Columns) q.selection()).columns()) {
            if (col instanceof CountColumn) {
                row.put(col.name(), n);
            } else {
                JsonNode v = keys.get(q.groupBy().indexOf(((PathColumn) col).path())).json();
                if (v != null) row.set(col.name(), v);
            }
        }
        return row;
    }

    static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object v = params.get(i);
            switch (v) {
                case String s -> ps.setString(i + 1, s);
                case Integer n -> ps.setInt(i + 1, n);
                case Long n -> ps.setLong(i + 1, n);
                case Double d -> ps.setDouble(i + 1, d);
                case BigDecimal d -> ps.setBigDecimal(i + 1, d);
                default -> throw new IllegalStateException("parameter of type " + v.getClass().getName());
            }
        }
    }

    /** The compiler this uses; for tests that look at plans. */
    SqlCompiler compiler() {
        return compiler;
    }
}
