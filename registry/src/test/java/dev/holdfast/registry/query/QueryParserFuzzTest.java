package dev.holdfast.registry.query;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.store.Dialect;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the query parser and the SQL compiler, which take text from any API client.
 *
 * <p>Invariants: any input either parses or throws {@link QuerySyntaxException} (with a position
 * inside the input and a message), nothing else; a parsed query compiles for SQLite and PostgreSQL,
 * for the first page and for a continued one; the SQL has one bind value per {@code ?}, no
 * {@code ;}, and quoted constants only from the compiler's own vocabulary (so no value of the query
 * reached the SQL text); and the query written back as text parses to the same query.
 */
class QueryParserFuzzTest {
    private static final Set<FieldPath> HOT = QueryIndexes.parse(QueryIndexes.DEFAULT_HOT_PATHS);
    private static final List<SqlCompiler> COMPILERS = List.of(new SqlCompiler(Dialect.SQLITE, HOT), new SqlCompiler(Dialect.POSTGRESQL, HOT),
            new SqlCompiler(Dialect.POSTGRESQL, Set.of()));
    /** A quoted constant in SQL text ('' inside is an escaped quote). */
    private static final Pattern QUOTED = Pattern.compile("'((?:[^']|'')*)'");
    /** What the compiler itself quotes: type names, plain member names and paths, time formats. */
    private static final Pattern OWN_CONSTANT = Pattern.compile("[A-Za-z0-9_$.%:\\-\"{}]*");

    @FuzzTest(maxDuration = "30s")
    void parseAndCompile_utf8(byte[] input) {
        check(new String(input, StandardCharsets.UTF_8));
    }

    /** UTF-16 reaches what UTF-8 decoding cannot produce: unpaired surrogates. */
    @FuzzTest(maxDuration = "30s")
    void parseAndCompile_utf16(byte[] input) {
        check(new String(input, StandardCharsets.UTF_16BE));
    }

    static void check(String text) {
        FleetQuery q;
        try {
            q = QueryParser.parse(text);
        } catch (QuerySyntaxException e) {
            assertThat(e.position()).isBetween(0, text.length());
            assertThat(e.getMessage()).isNotBlank();
            assertThat(e.expected()).isNotBlank();
            return;
        }
        for (SqlCompiler c : COMPILERS) {
            checkSql(c.compile(q, Optional.empty(), 101));
            if (!q.isCountOnly()) checkSql(c.compile(q, Optional.of(keyset(q)), 101));
        }
        assertThat(QueryParser.parse(QueryText.of(q))).isEqualTo(q);
    }

    private static Keyset keyset(FleetQuery q) {
        int n = q.isGrouped() ? q.groupBy().size() : q.orderBy().size();
        List<SortValue> values = new ArrayList<>();
        for (int i = 0; i < n; i++) values.add(new SortValue(i % 6, new BigDecimal("-1.5"), "'; DROP TABLE device; --"));
        return new Keyset(values, q.isGrouped() ? Optional.empty() : Optional.of("'; DROP TABLE device; --"));
    }

    private static void checkSql(SqlStatement st) {
        String sql = st.sql();
        assertThat(sql).startsWith("SELECT ").doesNotContain(";");
        assertThat(sql.chars().filter(ch -> ch == '?').count()).isEqualTo(st.params().size());
        Matcher m = QUOTED.matcher(sql);
        while (m.find()) assertThat(m.group(1)).matches(OWN_CONSTANT);
        assertThat(sql.replaceAll(QUOTED.pattern(), "''")).doesNotContain("--").doesNotContain("/*");
    }
}
