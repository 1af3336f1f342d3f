package dev.holdfast.registry.query;

import dev.holdfast.registry.query.Condition.Operator;
import dev.holdfast.store.Dialect;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compiles a {@link FleetQuery} to one parameterized SQL statement for SQLite or PostgreSQL.
 *
 * <p><b>Nothing from the query is spliced into SQL.</b> Every literal is a bind parameter. A member
 * name reaches SQL text only when it is a plain identifier ({@code [A-Za-z_][A-Za-z0-9_]*}, checked
 * by the parser and again by {@link Sql} as it is written), so that expression indexes on hot paths
 * can match; any other name is a bind parameter too. Column names and operators come from this
 * package's constants. The statement is always a single SELECT.
 *
 * <p><b>Three-valued logic without NOT.</b> A condition is true, false or undefined. For each
 * condition the compiler writes either the predicate "is true" or the predicate "is false", each
 * true exactly then and false or NULL otherwise; {@code NOT c} is "is false" of {@code c}, and the
 * WHERE clause is "is true" of the whole condition. So SQL's own NOT, whose NULL rules differ from
 * undefined, is never used, and each comparison stays a plain {@code value op ?} term an index can
 * serve.
 *
 * <p><b>Order and pages.</b> Rows come ordered by the ORDER BY keys, each computed as three columns
 * ({@link SortValue}: type rank, number, string with {@code COLLATE "C"} on PostgreSQL), then by
 * device id; groups by their keys. The next page starts after a {@link Keyset}.
 */
final class SqlCompiler {
    private final Dialect dialect;
    private final Set<FieldPath> btreeIndexed;

    /**
     * @param btreeIndexed paths with a B-tree expression index ({@link QueryIndexes}); on PostgreSQL
     *                     their equality is written so that index serves, the others' as containment
     */
    SqlCompiler(Dialect dialect, Set<FieldPath> btreeIndexed) {
        this.dialect = dialect;
        this.btreeIndexed = Set.copyOf(btreeIndexed);
    }

    /**
     * @param after the end of the previous page, if any
     * @param limit rows (or groups) to fetch
     */
    SqlStatement compile(FleetQuery q, Optional<Keyset> after, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
        Sql where = new Sql();
        if (q.where().isPresent()) isTrue(where, q.where().get());
        else where.raw(SqlOperand.TRUE);

        Sql s = new Sql();
        if (q.isCountOnly()) {
            s.raw("SELECT COUNT(*) AS n FROM device WHERE ");
            append(s, where);
            return new SqlStatement(s.toString(), s.params(), SqlStatement.Shape.COUNT, List.of(), 0);
        }
        if (q.isGrouped()) {
            // Group the raw values first (an index on them serves this), then fold the groups into
            // sort values (5 and 5.0, or objects of any content, become one group there), then page.
            int n = q.groupBy().size();
            List<SqlOperand> ops = new ArrayList<>();
            for (FieldPath p : q.groupBy()) ops.add(operand(p));
            Sql inner = new Sql().raw("SELECT ");
            List<List<String>> raws = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (i > 0) inner.raw(", ");
                raws.add(ops.get(i).raw(inner, "r" + i));
            }
            inner.raw(", COUNT(*) AS c FROM device WHERE ");
            append(inner, where);
            inner.raw(" GROUP BY ").raw(String.join(", ", raws.stream().flatMap(List::stream).toList()));
            s.raw("SELECT * FROM (SELECT ");
            for (int i = 0; i < n; i++) {
                SqlOperand o = ops.get(i);
                o.rankOf(s, raws.get(i));
                s.raw(" AS g" + i + "r, ");
                o.numOf(s, raws.get(i));
                s.raw(" AS g" + i + "n, ");
                o.strOf(s, raws.get(i));
                s.raw(" AS g" + i + "s, ");
            }
            s.raw("SUM(c) AS n FROM (");
            append(s, inner);
            List<String> keys = keyColumns("g", n);
            s.raw(") q GROUP BY ").raw(String.join(", ", keys)).raw(") g");
            if (after.isPresent()) {
                s.raw(" WHERE ");
                keyset(s, keys, directions(n, List.of()), after.get(), q.groupBy());
            }
            s.raw(" ORDER BY ").raw(String.join(", ", keys)).raw(" LIMIT ").param(limit);
            return new SqlStatement(s.toString(), s.params(), SqlStatement.Shape.GROUPS, List.of(), n);
        }

        List<String> columns = TwinRows.columnsFor(q.selection());
        if (q.orderBy().isEmpty()) {
            s.raw("SELECT ").raw(String.join(", ", columns)).raw(" FROM device WHERE ");
            append(s, where);
            if (after.isPresent()) {
                s.raw(" AND id > ").param(after.get().deviceId().orElseThrow());
            }
            s.raw(" ORDER BY id LIMIT ").param(limit);
            return new SqlStatement(s.toString(), s.params(), SqlStatement.Shape.ROWS, columns, 0);
        }
        int n = q.orderBy().size();
        s.raw("SELECT * FROM (SELECT ").raw(String.join(", ", columns));
        List<FieldPath> paths = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            s.raw(", ");
            sortColumns(s, q.orderBy().get(i).path(), "o" + i);
            paths.add(q.orderBy().get(i).path());
        }
        s.raw(" FROM device WHERE ");
        append(s, where);
        s.raw(") q");
        List<String> keys = keyColumns("o", n);
        List<Boolean> desc = directions(n, q.orderBy());
        if (after.isPresent()) {
            s.raw(" WHERE ");
            keyset(s, keys, desc, after.get(), paths);
        }
        s.raw(" ORDER BY ");
        for (int i = 0; i < keys.size(); i++) s.raw(keys.get(i)).raw(desc.get(i) ? " DESC, " : ", ");
        s.raw("id LIMIT ").param(limit);
        return new SqlStatement(s.toString(), s.params(), SqlStatement.Shape.ROWS, columns, n);
    }

    private static void append(Sql target, Sql part) {
        target.append(part);
    }

    private void sortColumns(Sql s, FieldPath path, String prefix) {
        SqlOperand o = operand(path);
        o.rank(s);
        s.raw(" AS " + prefix + "r, ");
        o.num(s);
        s.raw(" AS " + prefix + "n, ");
        o.str(s);
        s.raw(" AS " + prefix + "s");
    }

    private static List<String> keyColumns(String prefix, int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(prefix + i + "r");
            keys.add(prefix + i + "n");
            keys.add(prefix + i + "s");
        }
        return keys;
    }

    private static List<Boolean> directions(int n, List<FleetQuery.SortKey> orderBy) {
        List<Boolean> desc = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean d = !orderBy.isEmpty() && orderBy.get(i).descending();
            desc.add(d);
            desc.add(d);
            desc.add(d);
        }
        return desc;
    }

    /**
     * Rows strictly after {@code after} in (keys, id) order:
     * {@code k1 > v1 OR (k1 = v1 AND (k2 > v2 OR (k2 = v2 AND ... id > vid)))}, with {@code <} for
     * descending keys. Groups have no id: equal keys are the same group, already returned.
     */
    private void keyset(Sql s, List<String> keys, List<Boolean> desc, Keyset after, List<FieldPath> paths) {
        if (after.values().size() * 3 != keys.size()) {
            throw new IllegalArgumentException("after: " + after.values().size() + " keys (expected: " + keys.size() / 3 + ")");
        }
        int open = 0;
        for (int i = 0; i < keys.size(); i++) {
            SortValue v = after.values().get(i / 3);
            String col = keys.get(i);
            s.raw("(").raw(col).raw(desc.get(i) ? " < " : " > ");
            bindKey(s, v, i % 3, paths.get(i / 3));
            s.raw(" OR (").raw(col).raw(" = ");
            bindKey(s, v, i % 3, paths.get(i / 3));
            s.raw(" AND ");
            open += 2;
        }
        if (after.deviceId().isPresent()) s.raw("id > ").param(after.deviceId().get());
        else s.raw(SqlOperand.FALSE);
        s.raw(")".repeat(open));
    }

    private void bindKey(Sql s, SortValue v, int part, FieldPath path) {
        switch (part) {
            case 0 -> s.param(v.rank());
            case 1 -> {
                if (dialect == Dialect.SQLITE) {
                    s.param(JsonValues.sqliteNumber(v.num()));
                } else {
                    s.param(v.num()).raw(operand(path).numCast());
                }
            }
            default -> s.param(v.str());
        }
    }

    private SqlOperand operand(FieldPath path) {
        return SqlOperand.of(path, dialect, btreeIndexed.contains(path));
    }

    // ---------------------------------------------------------------------------------------------
    // conditions

    /** Writes a predicate true exactly where {@code c} is true. */
    private void isTrue(Sql s, Condition c) {
        write(s, c, true);
    }

    /** Writes a predicate true where {@code c} is {@code truth} (true or false), false or NULL otherwise. */
    private void write(Sql s, Condition c, boolean truth) {
        switch (c) {
            case Condition.And and -> join(s, and.terms(), truth ? " AND " : " OR ", truth);
            case Condition.Or or -> join(s, or.terms(), truth ? " OR " : " AND ", truth);
            case Condition.Not not -> write(s, not.term(), !truth);
            case Condition.Comparison cmp -> {
                s.raw("(");
                comparison(s, operand(cmp.path()), truth ? cmp.op() : cmp.op().negated(), cmp.value());
                s.raw(")");
            }
            case Condition.Membership m -> {
                s.raw("(");
                membership(s, operand(m.path()), m.values(), truth != m.negated());
                s.raw(")");
            }
            case Condition.Call call -> {
                s.raw("(");
                call(s, operand(call.path()), call, truth);
                s.raw(")");
            }
        }
    }

    private void join(Sql s, List<Condition> terms, String op, boolean truth) {
        s.raw("(");
        for (int i = 0; i < terms.size(); i++) {
            if (i > 0) s.raw(op);
            write(s, terms.get(i), truth);
        }
        s.raw(")");
    }

    /**
     * {@code value op lit} holds, for values of the literal's type. Called with the negated operator
     * for "is false", which is right because a comparison is false only between values of one type.
     */
    private static void comparison(Sql s, SqlOperand o, Operator op, Literal lit) {
        switch (lit) {
            case Literal.Null n -> {
                if (op == Operator.EQ) o.nullIs(s);
                else s.raw(SqlOperand.FALSE); // null != null is false; null < null is undefined
            }
            case Literal.Bool b -> {
                if (op == Operator.EQ) o.boolIs(s, b.value());
                else if (op == Operator.NE) o.boolIs(s, !b.value());
                else s.raw(SqlOperand.FALSE); // booleans are not ordered: undefined
            }
            case Literal.Str str -> o.compareScalar(s, op, str);
            case Literal.Num num -> o.compareScalar(s, op, num);
        }
    }

    /**
     * {@code x IN (l1..ln)} is {@code x = l1 OR ... OR x = ln}: true when it equals one, false when
     * it has the type of every literal and equals none (so false only for single-typed lists),
     * otherwise undefined.
     */
    private static void membership(Sql s, SqlOperand o, List<Literal> values, boolean truth) {
        Map<JsonType, List<Literal>> byType = new TreeMap<>();
        for (Literal l : values) byType.computeIfAbsent(l.type(), t -> new ArrayList<>()).add(l);
        List<Runnable> parts = new ArrayList<>();
        for (Map.Entry<JsonType, List<Literal>> e : byType.entrySet()) {
            List<Literal> group = e.getValue();
            parts.add(switch (e.getKey()) {
                case STRING, NUMBER -> () -> o.inScalars(s, group, !truth);
                case NULL -> () -> {
                    if (truth) o.nullIs(s);
                    else s.raw(SqlOperand.FALSE);
                };
                case BOOLEAN -> {
                    boolean hasTrue = group.stream().anyMatch(l -> ((Literal.Bool) l).value());
                    boolean hasFalse = group.stream().anyMatch(l -> !((Literal.Bool) l).value());
                    yield () -> {
                        if (hasTrue && hasFalse) {
                            if (truth) o.typeIn(s, EnumSet.of(JsonType.BOOLEAN));
                            else s.raw(SqlOperand.FALSE);
                        } else {
                            o.boolIs(s, truth == hasTrue);
                        }
                    };
                }
                default -> throw new IllegalStateException("literal of type " + e.getKey());
            });
        }
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) s.raw(truth ? " OR " : " AND ");
            s.raw("(");
            parts.get(i).run();
            s.raw(")");
        }
    }

    private static void call(Sql s, SqlOperand o, Condition.Call call, boolean truth) {
        Condition.Function fn = call.function();
        switch (fn) {
            case IS_DEFINED -> {
                if (truth) o.typeIn(s, EnumSet.allOf(JsonType.class));
                else o.typeNotIn(s, EnumSet.allOf(JsonType.class));
            }
            case IS_NULL, IS_STRING, IS_NUMBER, IS_BOOL, IS_OBJECT, IS_ARRAY -> {
                if (truth) o.typeIn(s, EnumSet.of(fn.testedType()));
                else o.typeNotIn(s, EnumSet.of(fn.testedType()));
            }
            case STARTSWITH, ENDSWITH, CONTAINS -> {
                String arg = call.argument().orElseThrow();
                if (arg.isEmpty()) {
                    // Every string starts with, ends with and contains the empty string.
                    if (truth) o.typeIn(s, EnumSet.of(JsonType.STRING));
                    else s.raw(SqlOperand.FALSE);
                } else {
                    o.stringTest(s, fn, arg, truth);
                }
            }
        }
    }
}
