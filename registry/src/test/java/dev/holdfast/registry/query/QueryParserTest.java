package dev.holdfast.registry.query;

import dev.holdfast.registry.query.Condition.Comparison;
import dev.holdfast.registry.query.Condition.Operator;
import dev.holdfast.registry.query.FleetQuery.Columns;
import dev.holdfast.registry.query.FleetQuery.CountColumn;
import dev.holdfast.registry.query.FleetQuery.PathColumn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class QueryParserTest {

    @Test
    void parse_readsTheIssueExample() {
        FleetQuery q = QueryParser.parse("SELECT * FROM devices WHERE tags.site = 'plant-3' AND properties.reported.fw.version < '2.1'");
        assertThat(q.where()).contains(new Condition.And(List.of(
                new Comparison(FieldPath.of(TwinField.TAGS, "site"), Operator.EQ, new Literal.Str("plant-3")),
                new Comparison(FieldPath.of(TwinField.REPORTED, "fw", "version"), Operator.LT, new Literal.Str("2.1")))));
    }

    @Test
    void parse_keywordsAndFunctionsAreCaseInsensitive_namesAreNot() {
        FleetQuery q = QueryParser.parse("select top 5 deviceId as d, Count() As n from DEVICES where Is_Defined(tags.A) group by deviceId");
        assertThat(q.top()).hasValue(5);
        assertThat(((Columns) q.selection()).columns()).containsExactly(
                new PathColumn(FieldPath.of(TwinField.DEVICE_ID), "d"), new CountColumn("n"));
        assertThat(q.where()).contains(new Condition.Call(Condition.Function.IS_DEFINED, FieldPath.of(TwinField.TAGS, "A"), Optional.empty()));
        assertThatThrownBy(() -> QueryParser.parse("SELECT * FROM devices WHERE DeviceId = 'x'")).isInstanceOf(QuerySyntaxException.class)
                .hasMessageContaining("did you mean 'deviceId'");
    }

    @Test
    void parse_literals() {
        assertThat(literal("'it''s'")).isEqualTo(new Literal.Str("it's"));
        assertThat(literal("''")).isEqualTo(new Literal.Str(""));
        assertThat(literal("'back\\slash'")).isEqualTo(new Literal.Str("back\\slash"));
        assertThat(literal("-12")).isEqualTo(new Literal.Num(new BigDecimal("-12")));
        assertThat(literal("- 1.5e-3")).isEqualTo(new Literal.Num(new BigDecimal("-1.5e-3")));
        assertThat(literal("2E+3")).isEqualTo(new Literal.Num(new BigDecimal("2E+3")));
        assertThat(literal("007")).isEqualTo(new Literal.Num(new BigDecimal("7")));
        assertThat(literal("TRUE")).isEqualTo(new Literal.Bool(true));
        assertThat(literal("false")).isEqualTo(new Literal.Bool(false));
        assertThat(literal("Null")).isEqualTo(new Literal.Null());
        assertThat(literal("'\uD83D\uDE00'")).isEqualTo(new Literal.Str("\uD83D\uDE00"));
    }

    private static Literal literal(String text) {
        return ((Comparison) QueryParser.parse("SELECT * FROM devices WHERE tags.x = " + text).where().orElseThrow()).value();
    }

    @Test
    void parse_literalOnTheLeftIsFlipped() {
        assertThat(QueryParser.parse("SELECT * FROM devices WHERE 3 < tags.n").where())
                .contains(new Comparison(FieldPath.of(TwinField.TAGS, "n"), Operator.GT, new Literal.Num(new BigDecimal("3"))));
    }

    @Test
    void parse_pathsWithBrackets() {
        assertThat(QueryParser.parsePath("tags['odd key'].b['c.d']")).isEqualTo(FieldPath.of(TwinField.TAGS, "odd key", "b", "c.d"));
        assertThat(QueryParser.parsePath("tags.select.from")).isEqualTo(FieldPath.of(TwinField.TAGS, "select", "from"));
        assertThat(QueryParser.parsePath("properties.reported")).isEqualTo(FieldPath.of(TwinField.REPORTED));
        assertThat(QueryParser.parsePath("health.risk")).isEqualTo(FieldPath.of(TwinField.HEALTH_RISK));
        assertThat(QueryParser.parsePath("capabilities.gateway")).isEqualTo(FieldPath.of(TwinField.CAPABILITIES, "gateway"));
    }

    @Test
    void parse_inListsInEitherBracketsAndNotIn() {
        FleetQuery a = QueryParser.parse("SELECT * FROM devices WHERE tags.x NOT IN ('a', 1)");
        FleetQuery b = QueryParser.parse("SELECT * FROM devices WHERE tags.x NIN ['a', 1]");
        assertThat(a).isEqualTo(b);
        assertThat(a.where().orElseThrow()).isEqualTo(new Condition.Membership(FieldPath.of(TwinField.TAGS, "x"),
                List.of(new Literal.Str("a"), new Literal.Num(BigDecimal.ONE)), true));
    }

    @Test
    void parse_andBindsTighterThanOr_notTighterThanAnd() {
        Condition c = QueryParser.parse("SELECT * FROM devices WHERE NOT tags.a = 1 AND tags.b = 2 OR tags.c = 3").where().orElseThrow();
        assertThat(c).isInstanceOf(Condition.Or.class);
        Condition.And and = (Condition.And) ((Condition.Or) c).terms().get(0);
        assertThat(and.terms().get(0)).isInstanceOf(Condition.Not.class);
    }

    static Stream<String> roundTrips() {
        return Stream.of(
                "SELECT * FROM devices",
                "SELECT TOP 10 deviceId, tags.site AS s, tags['odd key'] FROM devices WHERE (tags.a = 1 OR tags.b != 'x') AND NOT tags.c IN ['a', 2, true, null] ORDER BY tags.a DESC, deviceId ASC",
                "SELECT COUNT() AS n, tags.site FROM devices WHERE STARTSWITH(tags.site, 'it''s') GROUP BY tags.site",
                "SELECT * FROM devices WHERE ((tags.a = 1 AND tags.b = 2) AND tags.c = 3) OR NOT (tags.d = -1.5E-7 OR NOT IS_NULL(hub))");
    }

    @ParameterizedTest
    @MethodSource("roundTrips")
    void text_parsesBackToTheSameQuery(String text) {
        FleetQuery q = QueryParser.parse(text);
        assertThat(QueryParser.parse(QueryText.of(q))).isEqualTo(q);
    }

    /** A bad query, the text at which the error is reported (null: the end) and words of the message. */
    record Bad(String query, String at, String message) {
        int position() {
            if (at == null) return query.length();
            int i = query.indexOf(at);
            if (i < 0) throw new IllegalArgumentException(at + " not in " + query);
            return i;
        }
    }

    static Stream<Bad> badQueries() {
        return Stream.of(
                new Bad("", null, "expected SELECT but found end of query"),
                new Bad("   ", null, "expected SELECT"),
                new Bad("DELETE FROM devices", "DELETE", "expected SELECT but found 'DELETE'"),
                new Bad("SELECT * WHERE tags.a = 1", "WHERE", "expected FROM but found 'WHERE'"),
                new Bad("SELECT FROM devices", "FROM", "expected '*', COUNT() or a path"),
                new Bad("SELECT * FROM device", "device", "only 'devices' can be queried"),
                new Bad("SELECT * FROM devices.modules", ".", "expected WHERE, GROUP BY, ORDER BY or end of query"),
                new Bad("SELECT * FROM devices WHERE", null, "expected a condition but found end of query"),
                new Bad("SELECT * FROM devices WHERE tags.site =", null, "expected a value after '=' but found end of query"),
                new Bad("SELECT * FROM devices WHERE tags.site = 'plant", "'plant", "not closed"),
                new Bad("SELECT * FROM devices WHERE tags.a == 1", "= 1", "expected a value after '='"),
                new Bad("SELECT * FROM devices WHERE tags.a = 1 extra", "extra", "expected AND, OR, GROUP BY, ORDER BY or end of query"),
                new Bad("SELECT * FROM devices WHERE tags.a = 1 AND", null, "expected a condition"),
                new Bad("SELECT * FROM devices WHERE (tags.a = 1", null, "expected ')', AND or OR"),
                new Bad("SELECT * FROM devices WHERE tags.a = 1)", ")", "expected AND, OR"),
                new Bad("SELECT * FROM devices WHERE tags.a", null, "expected a comparison operator, IN or NIN"),
                new Bad("SELECT * FROM devices WHERE tags.a ! 1", "!", "unexpected '!'"),
                new Bad("SELECT * FROM devices WHERE tags.a = \"x\"", "\"", "single quotes"),
                new Bad("SELECT * FROM devices WHERE tags.$version = 1", "$", "reserved"),
                new Bad("SELECT * FROM devices WHERE tags['$metadata'] = 1", "'$metadata'", "reserved"),
                new Bad("SELECT * FROM devices WHERE tags['a\"b'] = 1", "'a\"b'", "cannot contain"),
                new Bad("SELECT * FROM devices WHERE tags['a\\b'] = 1", "'a\\b'", "cannot contain"),
                new Bad("SELECT * FROM devices WHERE tags[''] = 1", "''", "is empty"),
                new Bad("SELECT * FROM devices WHERE tags['x\ny'] = 1", "'x\ny'", "control character"),
                new Bad("SELECT * FROM devices WHERE tags.é = 1", "é", "tags['name']"),
                new Bad("SELECT * FROM devices WHERE tags.1a = 1", "a = 1", "unexpected 'a' after a number"),
                new Bad("SELECT * FROM devices WHERE tags. = 1", "= 1", "expected a member name after '.'"),
                new Bad("SELECT * FROM devices WHERE tags[1] = 1", "1]", "in single quotes"),
                new Bad("SELECT * FROM devices WHERE foo = 1", "foo", "unknown field 'foo'"),
                new Bad("SELECT * FROM devices WHERE Tags.a = 1", "Tags", "did you mean 'tags'"),
                new Bad("SELECT * FROM devices WHERE properties.fw = 1", "fw", "expected desired or reported"),
                new Bad("SELECT * FROM devices WHERE health = 1", "= 1", "expected '.' and compliance, risk or reasons"),
                new Bad("SELECT * FROM devices WHERE status.reason = 1", ".reason", "'status' is a value, it has no members"),
                new Bad("SELECT * FROM devices WHERE FOO(tags.a)", "FOO", "unknown function 'FOO'"),
                new Bad("SELECT * FROM devices WHERE STARTSWITH(tags.a, 1)", "1)", "takes a path and a string"),
                new Bad("SELECT * FROM devices WHERE STARTSWITH(tags.a)", ")", "expected ',' and a string"),
                new Bad("SELECT * FROM devices WHERE IS_DEFINED(tags.a, 'x')", ",", "expected ')'"),
                new Bad("SELECT * FROM devices WHERE tags.a = tags.b", "tags.b", "comparing two paths"),
                new Bad("SELECT * FROM devices WHERE 1 = 1", "1 =", "needs a path"),
                new Bad("SELECT * FROM devices WHERE 1 IN [1]", "1 IN", "IN needs a path"),
                new Bad("SELECT * FROM devices WHERE tags.a IN []", "]", "expected a value"),
                new Bad("SELECT * FROM devices WHERE tags.a IN ['x'", null, "expected ',' or ']'"),
                new Bad("SELECT * FROM devices WHERE tags.a IN 'x'", "'x'", "'[' or '('"),
                new Bad("SELECT * FROM devices WHERE tags.a = -x", "x", "expected a number after '-'"),
                new Bad("SELECT * FROM devices WHERE tags.a = 1e999", "1e999", "out of range"),
                new Bad("SELECT * FROM devices WHERE tags.a = 1e-999", "1e-999", "out of range"),
                new Bad("SELECT * FROM devices WHERE tags.a = 1.", null, "expected a digit after the decimal point"),
                new Bad("SELECT * FROM devices WHERE tags.a = 'x\u0000'", "\u0000", "NUL"),
                new Bad("SELECT * FROM devices WHERE tags.a = 'x\uD800'", "\uD800", "unpaired surrogate"),
                new Bad("SELECT * FROM devices GROUP BY tags.a", "*", "SELECT * cannot be combined with GROUP BY"),
                new Bad("SELECT tags.a FROM devices GROUP BY tags.b", "tags.a", "not in GROUP BY"),
                new Bad("SELECT COUNT() AS n, tags.a FROM devices", "tags.a", "unless the query groups by it"),
                new Bad("SELECT COUNT() AS n FROM devices ORDER BY tags.a", "ORDER", "ORDER BY is not allowed"),
                new Bad("SELECT COUNT() AS n, tags.a FROM devices GROUP BY tags.a ORDER BY tags.a", "ORDER", "cannot be combined with GROUP BY"),
                new Bad("SELECT COUNT(tags.a) FROM devices", "tags.a", "COUNT takes no argument"),
                new Bad("SELECT deviceId, tags.deviceId FROM devices", "tags.deviceId", "two columns are named 'deviceId'"),
                new Bad("SELECT tags.a AS FROM FROM devices", "FROM FROM", "expected a column name after AS"),
                new Bad("SELECT TOP 0 * FROM devices", "0", "out of range"),
                new Bad("SELECT TOP 1000001 * FROM devices", "1000001", "out of range"),
                new Bad("SELECT TOP 99999999999999999999 * FROM devices", "999", "out of range"),
                new Bad("SELECT TOP 1.5 * FROM devices", "1.5", "a whole number after TOP"),
                new Bad("SELECT TOP * FROM devices", "*", "a whole number after TOP"),
                new Bad("SELECT * FROM devices ORDER BY", null, "expected a path"),
                new Bad("SELECT * FROM devices ORDER BY tags.a DESC,", null, "expected a path"),
                new Bad("SELECT * FROM devices ORDER BY tags.a UP", "UP", "expected ',', ASC, DESC or end of query"));
    }

    @ParameterizedTest
    @MethodSource("badQueries")
    void parse_reportsPositionAndExpectation(Bad bad) {
        QuerySyntaxException e = catchThrowableOfType(QuerySyntaxException.class, () -> QueryParser.parse(bad.query()));
        assertThat(e).as(bad.query()).isNotNull();
        assertThat(e.getMessage()).as(bad.query()).startsWith("at " + bad.position() + ": ").contains(bad.message());
        assertThat(e.position()).isEqualTo(bad.position());
        assertThat(e.expected()).isNotBlank();
    }

    @Test
    void limits_queryLength() {
        String base = "SELECT * FROM devices WHERE tags.a = '";
        String ok = base + "x".repeat(QueryLimits.MAX_QUERY_BYTES - base.length() - 1) + "'";
        assertThat(ok.length()).isEqualTo(QueryLimits.MAX_QUERY_BYTES);
        QueryParser.parse(ok);
        String tooLong = base + "x".repeat(QueryLimits.MAX_QUERY_BYTES - base.length()) + "'";
        assertThatThrownBy(() -> QueryParser.parse(tooLong)).isInstanceOf(QuerySyntaxException.class)
                .hasMessage("at 0: the query is 8193 bytes long; the limit is 8192 bytes (UTF-8)");
        String multiByte = base + "é".repeat(3000) + "'"; // 3,000 characters, 6,000 bytes
        assertThatThrownBy(() -> QueryParser.parse(multiByte.replace("é'", "é".repeat(1200) + "'")))
                .hasMessageContaining("bytes long");
    }

    @Test
    void limits_depth() {
        String ok = "SELECT * FROM devices WHERE " + "(".repeat(QueryLimits.MAX_DEPTH) + "tags.a = 1" + ")".repeat(QueryLimits.MAX_DEPTH);
        QueryParser.parse(ok);
        String deep = "SELECT * FROM devices WHERE " + "(".repeat(QueryLimits.MAX_DEPTH + 1) + "tags.a = 1" + ")".repeat(QueryLimits.MAX_DEPTH + 1);
        assertThatThrownBy(() -> QueryParser.parse(deep)).isInstanceOf(QuerySyntaxException.class)
                .hasMessageContaining("nested more than 32 levels").extracting(e -> ((QuerySyntaxException) e).position())
                .isEqualTo(("SELECT * FROM devices WHERE " + "(".repeat(QueryLimits.MAX_DEPTH)).length());
        String nots = "SELECT * FROM devices WHERE " + "NOT ".repeat(QueryLimits.MAX_DEPTH + 1) + "tags.a = 1";
        assertThatThrownBy(() -> QueryParser.parse(nots)).hasMessageContaining("nested more than");
        String deeper = "SELECT * FROM devices WHERE " + "(".repeat(4000);
        assertThatThrownBy(() -> QueryParser.parse(deeper)).isInstanceOf(QuerySyntaxException.class);
    }

    @Test
    void limits_inListPathAndConditions() {
        String values = String.join(", ", java.util.Collections.nCopies(QueryLimits.MAX_IN_VALUES, "1"));
        QueryParser.parse("SELECT * FROM devices WHERE tags.a IN [" + values + "]");
        assertThatThrownBy(() -> QueryParser.parse("SELECT * FROM devices WHERE tags.a IN [" + values + ", 1]"))
                .hasMessageContaining("more than 256 values");
        String keys = ".k".repeat(QueryLimits.MAX_PATH_KEYS);
        QueryParser.parse("SELECT * FROM devices WHERE tags" + keys + " = 1");
        assertThatThrownBy(() -> QueryParser.parse("SELECT * FROM devices WHERE tags" + keys + ".k = 1"))
                .hasMessageContaining("more than 16 member names");
        assertThatThrownBy(() -> QueryParser.parse("SELECT * FROM devices WHERE tags['" + "k".repeat(129) + "'] = 1"))
                .hasMessageContaining("longer than 128 characters");
        String many = String.join(" OR ", java.util.Collections.nCopies(QueryLimits.MAX_CONDITIONS + 1, "tags.a=1"));
        assertThatThrownBy(() -> QueryParser.parse("SELECT * FROM devices WHERE " + many)).hasMessageContaining("more than 256 conditions");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tags", "status", "tags['odd key']", "properties.reported", "nope.x", "tags.a = 1"})
    void hotPaths_mustBePlainDocumentMembers(String path) {
        assertThatThrownBy(() -> QueryIndexes.parse(List.of(path))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hotPaths: " + path);
    }
}
