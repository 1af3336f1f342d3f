package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.registry.query.Condition.Operator;
import dev.holdfast.store.Dialect;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A path as SQL sees it, on one database: how to test its JSON type, compare it with a literal, and
 * compute its three sort columns ({@link SortValue}). Every predicate written here is two-valued in
 * effect: it is true exactly when the query's comparison is true, and NULL or false otherwise; the
 * compiler handles NOT by asking for the opposite predicate instead of negating in SQL.
 *
 * <p>Four kinds: a JSON member on SQLite ({@code json_extract}/{@code json_type} on the TEXT column),
 * a JSON member on PostgreSQL ({@code ->} chains on JSONB), a text column (possibly shown through an
 * expression, as {@code lastActivityTime} is) and a numeric column.
 */
abstract sealed class SqlOperand {
    static final String TRUE = "1=1";
    static final String FALSE = "1=0";
    private static final ObjectMapper JSON = new ObjectMapper();

    static SqlOperand of(FieldPath path, Dialect dialect, boolean btreeIndexed) {
        TwinField f = path.field();
        return switch (f.kind()) {
            case JSON -> dialect == Dialect.SQLITE ? new SqliteJson(path) : new PostgresJson(path, btreeIndexed);
            case STRING -> new TextColumn(f.column(), f.column(), dialect);
            case TIMESTAMP -> new TextColumn(timestampExpression(f.column(), dialect), f.column(), dialect);
            case NUMBER -> new NumberColumn(f.column(), dialect);
        };
    }

    /** The column's epoch milliseconds as {@link JsonValues#TIMESTAMP} shows them. */
    private static String timestampExpression(String column, Dialect dialect) {
        return dialect == Dialect.SQLITE
                ? "(strftime('%Y-%m-%dT%H:%M:%S', " + column + " / 1000, 'unixepoch') || '.' || substr('00' || (" + column
                        + " % 1000), -3) || 'Z')"
                : "(to_char(to_timestamp(" + column + " / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '.' || lpad(("
                        + column + " % 1000)::text, 3, '0') || 'Z')";
    }

    /** The value exists and its type is one of {@code types}. */
    abstract void typeIn(Sql s, Set<JsonType> types);

    /** The value is missing or its type is none of {@code types}. */
    abstract void typeNotIn(Sql s, Set<JsonType> types);

    /** The value is the boolean {@code b}. */
    abstract void boolIs(Sql s, boolean b);

    /** The value is JSON null. */
    void nullIs(Sql s) {
        typeIn(s, EnumSet.of(JsonType.NULL));
    }

    /** The value has the type of {@code lit} (a string or a number) and {@code value op lit} holds. */
    abstract void compareScalar(Sql s, Operator op, Literal lit);

    /**
     * The value has the type of the literals (all strings or all numbers) and is among them, or with
     * {@code not}, is none of them.
     */
    abstract void inScalars(Sql s, List<Literal> literals, boolean not);

    /** The value is a string and {@code fn(value, arg)} holds, or with {@code holds} false, does not. */
    abstract void stringTest(Sql s, Condition.Function fn, String arg, boolean holds);

    abstract void rank(Sql s);

    /**
     * Writes the raw value columns a GROUP BY groups on, {@code expr AS alias, ...}, and returns
     * their aliases: on SQLite the value and its JSON type, on PostgreSQL the JSONB value, for
     * columns the column. Grouping these first lets an index on them serve the grouping; the
     * groups are then folded into sort values by {@link #rankOf}, {@link #numOf}, {@link #strOf}.
     */
    abstract List<String> raw(Sql s, String prefix);

    abstract void rankOf(Sql s, List<String> raw);

    abstract void numOf(Sql s, List<String> raw);

    abstract void strOf(Sql s, List<String> raw);

    abstract void num(Sql s);

    abstract void str(Sql s);

    /** On PostgreSQL, the cast for a bound value compared with {@link #num}. */
    abstract String numCast();

    static void bindNumber(Sql s, Literal.Num n, Dialect d) {
        s.param(d == Dialect.SQLITE ? n.sqliteValue() : n.value());
    }

    static String sqlOp(Operator op) {
        return op == Operator.NE ? "<>" : op.symbol();
    }

    static JsonNode json(Literal lit) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (lit) {
            case Literal.Str s -> f.textNode(s.value());
            case Literal.Num n -> f.numberNode(n.value());
            case Literal.Bool b -> f.booleanNode(b.value());
            case Literal.Null n -> f.nullNode();
        };
    }

    static String text(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** A member of a JSON document column on SQLite: {@code json_extract(col, path)}, {@code json_type(col, path)}. */
    static final class SqliteJson extends SqlOperand {
        private final FieldPath path;
        private final String column;

        SqliteJson(FieldPath path) {
            this.path = path;
            this.column = path.field().column();
        }

        private void jsonPath(Sql s) {
            if (path.isPlain()) {
                s.sqliteJsonPathLiteral(path.keys());
            } else {
                // "$" then ."name" per member; the parser refuses names with '"' or '\', which SQLite's
                // quoted path labels cannot express.
                StringBuilder p = new StringBuilder("$");
                for (String k : path.keys()) p.append(".\"").append(k).append('"');
                s.param(p.toString());
            }
        }

        private void x(Sql s) {
            s.raw("json_extract(").raw(column).raw(", ");
            jsonPath(s);
            s.raw(")");
        }

        private void ty(Sql s) {
            s.raw("json_type(").raw(column).raw(", ");
            jsonPath(s);
            s.raw(")");
        }

        private static String names(Set<JsonType> types) {
            StringBuilder sb = new StringBuilder();
            for (JsonType t : types) {
                String n = switch (t) {
                    case NULL -> "'null'";
                    case BOOLEAN -> "'true', 'false'";
                    case NUMBER -> "'integer', 'real'";
                    case STRING -> "'text'";
                    case OBJECT -> "'object'";
                    case ARRAY -> "'array'";
                };
                if (!sb.isEmpty()) sb.append(", ");
                sb.append(n);
            }
            return sb.toString();
        }

        @Override
        void typeIn(Sql s, Set<JsonType> types) {
            if (types.isEmpty()) {
                s.raw(FALSE);
                return;
            }
            if (types.size() == JsonType.values().length) {
                ty(s);
                s.raw(" IS NOT NULL");
                return;
            }
            ty(s);
            String names = names(types);
            s.raw(names.contains(",") ? " IN (" + names + ")" : " = " + names);
        }

        @Override
        void typeNotIn(Sql s, Set<JsonType> types) {
            if (types.size() == JsonType.values().length) {
                ty(s);
                s.raw(" IS NULL");
                return;
            }
            if (types.isEmpty()) {
                s.raw(TRUE);
                return;
            }
            s.raw("COALESCE(");
            ty(s);
            s.raw(", '') NOT IN (").raw(names(types)).raw(")");
        }

        @Override
        void boolIs(Sql s, boolean b) {
            // json_extract gives 1 or 0 for booleans; the first term lets an index on the value serve.
            x(s);
            s.raw(b ? " = 1 AND " : " = 0 AND ");
            ty(s);
            s.raw(b ? " = 'true'" : " = 'false'");
        }

        @Override
        void nullIs(Sql s) {
            x(s);
            s.raw(" IS NULL AND ");
            ty(s);
            s.raw(" = 'null'");
        }

        @Override
        void compareScalar(Sql s, Operator op, Literal lit) {
            x(s);
            s.raw(" ").raw(sqlOp(op)).raw(" ");
            bind(s, lit);
            s.raw(" AND ");
            typeIn(s, EnumSet.of(lit.type()));
        }

        @Override
        void inScalars(Sql s, List<Literal> literals, boolean not) {
            x(s);
            s.raw(not ? " NOT IN (" : " IN (");
            for (int i = 0; i < literals.size(); i++) {
                if (i > 0) s.raw(", ");
                bind(s, literals.get(i));
            }
            s.raw(") AND ");
            typeIn(s, EnumSet.of(literals.get(0).type()));
        }

        private static void bind(Sql s, Literal lit) {
            switch (lit) {
                case Literal.Str str -> s.param(str.value());
                case Literal.Num n -> s.param(n.sqliteValue());
                default -> throw new IllegalArgumentException("lit: " + lit + " (expected: a string or a number)");
            }
        }

        @Override
        void stringTest(Sql s, Condition.Function fn, String arg, boolean holds) {
            sqliteStringTest(s, this::x, fn, arg, holds);
            s.raw(" AND ");
            typeIn(s, EnumSet.of(JsonType.STRING));
        }

        @Override
        void rank(Sql s) {
            s.raw("CASE ");
            ty(s);
            s.raw(" WHEN 'null' THEN 1 WHEN 'false' THEN 2 WHEN 'true' THEN 3 WHEN 'integer' THEN 4 WHEN 'real' THEN 4"
                    + " WHEN 'text' THEN 5 ELSE 0 END");
        }

        @Override
        void num(Sql s) {
            s.raw("CASE WHEN ");
            typeIn(s, EnumSet.of(JsonType.NUMBER));
            s.raw(" THEN ");
            x(s);
            s.raw(" ELSE 0 END");
        }

        @Override
        void str(Sql s) {
            s.raw("CASE WHEN ");
            typeIn(s, EnumSet.of(JsonType.STRING));
            s.raw(" THEN ");
            x(s);
            s.raw(" ELSE '' END");
        }

        @Override
        List<String> raw(Sql s, String prefix) {
            x(s);
            s.raw(" AS " + prefix + "x, ");
            ty(s);
            s.raw(" AS " + prefix + "t");
            return List.of(prefix + "x", prefix + "t");
        }

        @Override
        void rankOf(Sql s, List<String> raw) {
            s.raw("CASE " + raw.get(1) + " WHEN 'null' THEN 1 WHEN 'false' THEN 2 WHEN 'true' THEN 3 WHEN 'integer' THEN 4 WHEN 'real' THEN 4"
                    + " WHEN 'text' THEN 5 ELSE 0 END");
        }

        @Override
        void numOf(Sql s, List<String> raw) {
            s.raw("CASE WHEN " + raw.get(1) + " IN ('integer', 'real') THEN " + raw.get(0) + " ELSE 0 END");
        }

        @Override
        void strOf(Sql s, List<String> raw) {
            s.raw("CASE WHEN " + raw.get(1) + " = 'text' THEN " + raw.get(0) + " ELSE '' END");
        }

        @Override
        String numCast() {
            return "";
        }
    }

    private static void sqliteStringTest(Sql s, java.util.function.Consumer<Sql> value, Condition.Function fn, String arg, boolean holds) {
        int length = arg.codePointCount(0, arg.length());
        switch (fn) {
            case STARTSWITH -> {
                s.raw("substr(");
                value.accept(s);
                s.raw(", 1, ").param(length).raw(holds ? ") = " : ") <> ").param(arg);
            }
            case ENDSWITH -> {
                s.raw("substr(");
                value.accept(s);
                s.raw(", -").param(length).raw(holds ? ") = " : ") <> ").param(arg);
            }
            case CONTAINS -> {
                s.raw("instr(");
                value.accept(s);
                s.raw(", ").param(arg).raw(holds ? ") > 0" : ") = 0");
            }
            default -> throw new IllegalArgumentException("fn: " + fn + " (expected: a string function)");
        }
    }

    private static void postgresStringTest(Sql s, java.util.function.Consumer<Sql> text, Condition.Function fn, String arg, boolean holds) {
        int length = arg.codePointCount(0, arg.length());
        switch (fn) {
            case STARTSWITH, ENDSWITH -> {
                s.raw(fn == Condition.Function.STARTSWITH ? "left(" : "right(");
                text.accept(s);
                s.raw(", ").param(length).raw("::int").raw(holds ? ") = " : ") <> ").param(arg);
            }
            case CONTAINS -> {
                s.raw("strpos(");
                text.accept(s);
                s.raw(", ").param(arg).raw(holds ? ") > 0" : ") = 0");
            }
            default -> throw new IllegalArgumentException("fn: " + fn + " (expected: a string function)");
        }
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * A member of a JSONB column on PostgreSQL: {@code col -> 'a' -> 'b'}. {@code ->} with a text
     * operand only ever reads object members (unlike {@code #>}, which indexes arrays with numeric
     * names), matching the other database and the evaluator. Equality is written as containment
     * ({@code col @> '{"a":{"b":v}}'}), which a GIN index serves, or, for paths with a B-tree
     * expression index ({@link QueryIndexes}), as {@code (col -> 'a' -> 'b') = v}.
     */
    static final class PostgresJson extends SqlOperand {
        private final FieldPath path;
        private final String column;
        private final boolean btreeIndexed;

        PostgresJson(FieldPath path, boolean btreeIndexed) {
            this.path = path;
            this.column = path.field().column();
            this.btreeIndexed = btreeIndexed;
        }

        private void member(Sql s, String k) {
            if (FieldPath.IDENTIFIER.matcher(k).matches()) s.identifierLiteral(k);
            else s.param(k).raw("::text");
        }

        /** The JSONB value. */
        private void e(Sql s) {
            if (path.keys().isEmpty()) {
                s.raw(column);
                return;
            }
            s.raw("(").raw(column);
            for (String k : path.keys()) {
                s.raw(" -> ");
                member(s, k);
            }
            s.raw(")");
        }

        /** The value as text ({@code ->>}), meaningful for strings. */
        private void text(Sql s) {
            if (path.keys().isEmpty()) {
                s.raw("(").raw(column).raw(" #>> '{}')");
                return;
            }
            s.raw("(").raw(column);
            List<String> keys = path.keys();
            for (int i = 0; i < keys.size(); i++) {
                s.raw(i == keys.size() - 1 ? " ->> " : " -> ");
                member(s, keys.get(i));
            }
            s.raw(")");
        }

        private void ty(Sql s) {
            s.raw("jsonb_typeof(");
            e(s);
            s.raw(")");
        }

        private static String names(Set<JsonType> types) {
            StringBuilder sb = new StringBuilder();
            for (JsonType t : types) {
                if (!sb.isEmpty()) sb.append(", ");
                sb.append(switch (t) {
                    case NULL -> "'null'";
                    case BOOLEAN -> "'boolean'";
                    case NUMBER -> "'number'";
                    case STRING -> "'string'";
                    case OBJECT -> "'object'";
                    case ARRAY -> "'array'";
                });
            }
            return sb.toString();
        }

        @Override
        void typeIn(Sql s, Set<JsonType> types) {
            if (types.isEmpty()) {
                s.raw(FALSE);
                return;
            }
            if (types.size() == JsonType.values().length) {
                e(s);
                s.raw(" IS NOT NULL");
                return;
            }
            ty(s);
            String names = names(types);
            s.raw(names.contains(",") ? " IN (" + names + ")" : " = " + names);
        }

        @Override
        void typeNotIn(Sql s, Set<JsonType> types) {
            if (types.size() == JsonType.values().length) {
                e(s);
                s.raw(" IS NULL");
                return;
            }
            if (types.isEmpty()) {
                s.raw(TRUE);
                return;
            }
            s.raw("COALESCE(");
            ty(s);
            s.raw(", '') NOT IN (").raw(names(types)).raw(")");
        }

        /** The value equals {@code lit} in type and value (JSONB equality: numbers by value). */
        private void equalsLiteral(Sql s, Literal lit) {
            if (btreeIndexed || path.keys().isEmpty()) {
                // Without members, containment would also match a top-level array holding the value.
                e(s);
                s.raw(" = ").param(text(json(lit))).raw("::jsonb");
            } else {
                s.raw(column).raw(" @> ").param(containment(lit)).raw("::jsonb");
            }
        }

        private String containment(Literal lit) {
            JsonNode node = json(lit);
            List<String> keys = path.keys();
            for (int i = keys.size() - 1; i >= 0; i--) {
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                o.set(keys.get(i), node);
                node = o;
            }
            return text(node);
        }

        @Override
        void boolIs(Sql s, boolean b) {
            equalsLiteral(s, new Literal.Bool(b));
        }

        @Override
        void nullIs(Sql s) {
            equalsLiteral(s, new Literal.Null());
        }

        /**
         * The value when it has type {@code t}, else NULL: {@code CASE WHEN jsonb_typeof(v) = 't' THEN v END}.
         * One expression rather than a type test ANDed with a comparison, so the planner estimates it
         * as an ordinary comparison instead of multiplying in 0.5% for the type test, which made it
         * prefer sorting every row of a tag over an ordered index scan that stops at the page.
         */
        private void typed(Sql s, JsonType t, boolean asText) {
            s.raw("(CASE WHEN ");
            typeIn(s, EnumSet.of(t));
            s.raw(" THEN ");
            if (asText) text(s);
            else e(s);
            s.raw(" END)");
        }

        @Override
        void compareScalar(Sql s, Operator op, Literal lit) {
            if (op == Operator.EQ) {
                equalsLiteral(s, lit);
                return;
            }
            if (lit instanceof Literal.Str str) {
                typed(s, JsonType.STRING, true);
                s.raw(op == Operator.NE ? " " : " COLLATE \"C\" ").raw(sqlOp(op)).raw(" ").param(str.value());
            } else {
                typed(s, lit.type(), false);
                s.raw(" ").raw(sqlOp(op)).raw(" ").param(text(json(lit))).raw("::jsonb");
            }
        }

        @Override
        void inScalars(Sql s, List<Literal> literals, boolean not) {
            if (!not && !btreeIndexed && !path.keys().isEmpty()) {
                s.raw("(");
                for (int i = 0; i < literals.size(); i++) {
                    if (i > 0) s.raw(" OR ");
                    equalsLiteral(s, literals.get(i));
                }
                s.raw(")");
                return;
            }
            if (not) {
                typed(s, literals.get(0).type(), false);
            } else {
                e(s);
            }
            s.raw(not ? " NOT IN (" : " IN (");
            for (int i = 0; i < literals.size(); i++) {
                if (i > 0) s.raw(", ");
                s.param(text(json(literals.get(i)))).raw("::jsonb");
            }
            s.raw(")");
        }

        @Override
        void stringTest(Sql s, Condition.Function fn, String arg, boolean holds) {
            postgresStringTest(s, x -> typed(x, JsonType.STRING, true), fn, arg, holds);
        }

        @Override
        void rank(Sql s) {
            s.raw("CASE ");
            ty(s);
            s.raw(" WHEN 'null' THEN 1 WHEN 'boolean' THEN (CASE WHEN ");
            e(s);
            s.raw(" = 'true'::jsonb THEN 3 ELSE 2 END) WHEN 'number' THEN 4 WHEN 'string' THEN 5 ELSE 0 END");
        }

        @Override
        void num(Sql s) {
            s.raw("CASE WHEN ");
            ty(s);
            s.raw(" = 'number' THEN (");
            e(s);
            s.raw(")::numeric ELSE 0 END");
        }

        @Override
        void str(Sql s) {
            s.raw("(CASE WHEN ");
            ty(s);
            s.raw(" = 'string' THEN ");
            text(s);
            s.raw(" ELSE '' END) COLLATE \"C\"");
        }

        @Override
        List<String> raw(Sql s, String prefix) {
            e(s);
            s.raw(" AS " + prefix + "v");
            return List.of(prefix + "v");
        }

        @Override
        void rankOf(Sql s, List<String> raw) {
            String v = raw.get(0);
            s.raw("CASE jsonb_typeof(" + v + ") WHEN 'null' THEN 1 WHEN 'boolean' THEN (CASE WHEN " + v
                    + " = 'true'::jsonb THEN 3 ELSE 2 END) WHEN 'number' THEN 4 WHEN 'string' THEN 5 ELSE 0 END");
        }

        @Override
        void numOf(Sql s, List<String> raw) {
            String v = raw.get(0);
            s.raw("CASE WHEN jsonb_typeof(" + v + ") = 'number' THEN (" + v + ")::numeric ELSE 0 END");
        }

        @Override
        void strOf(Sql s, List<String> raw) {
            String v = raw.get(0);
            s.raw("(CASE WHEN jsonb_typeof(" + v + ") = 'string' THEN " + v + " #>> '{}' ELSE '' END) COLLATE \"C\"");
        }

        @Override
        String numCast() {
            return "::numeric";
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** A text column, JSON string or (when NULL) JSON null; {@code expression} may format it. */
    static final class TextColumn extends SqlOperand {
        private final String expression;
        private final String column;
        private final Dialect dialect;

        TextColumn(String expression, String column, Dialect dialect) {
            this.expression = expression;
            this.column = column;
            this.dialect = dialect;
        }

        @Override
        void typeIn(Sql s, Set<JsonType> types) {
            boolean str = types.contains(JsonType.STRING);
            boolean nul = types.contains(JsonType.NULL);
            s.raw(str && nul ? TRUE : str ? column + " IS NOT NULL" : nul ? column + " IS NULL" : FALSE);
        }

        @Override
        void typeNotIn(Sql s, Set<JsonType> types) {
            boolean str = types.contains(JsonType.STRING);
            boolean nul = types.contains(JsonType.NULL);
            s.raw(str && nul ? FALSE : str ? column + " IS NULL" : nul ? column + " IS NOT NULL" : TRUE);
        }

        @Override
        void boolIs(Sql s, boolean b) {
            s.raw(FALSE);
        }

        @Override
        void compareScalar(Sql s, Operator op, Literal lit) {
            if (!(lit instanceof Literal.Str str)) {
                s.raw(FALSE);
                return;
            }
            s.raw(expression);
            // Equality needs no collation (deterministic collations compare bytes for equality), and
            // without one PostgreSQL can use the column's index.
            if (dialect == Dialect.POSTGRESQL && op.isOrdering()) s.raw(" COLLATE \"C\"");
            s.raw(" ").raw(sqlOp(op)).raw(" ").param(str.value());
        }

        @Override
        void inScalars(Sql s, List<Literal> literals, boolean not) {
            if (!(literals.get(0) instanceof Literal.Str)) {
                s.raw(FALSE);
                return;
            }
            s.raw(expression).raw(not ? " NOT IN (" : " IN (");
            for (int i = 0; i < literals.size(); i++) {
                if (i > 0) s.raw(", ");
                s.param(((Literal.Str) literals.get(i)).value());
            }
            s.raw(")");
        }

        @Override
        void stringTest(Sql s, Condition.Function fn, String arg, boolean holds) {
            if (dialect == Dialect.SQLITE) sqliteStringTest(s, x -> x.raw(expression), fn, arg, holds);
            else postgresStringTest(s, x -> x.raw(expression), fn, arg, holds);
        }

        @Override
        void rank(Sql s) {
            s.raw("CASE WHEN ").raw(column).raw(" IS NULL THEN 1 ELSE 5 END");
        }

        @Override
        void num(Sql s) {
            s.raw("0");
        }

        @Override
        void str(Sql s) {
            s.raw("COALESCE(").raw(expression).raw(", '')");
            if (dialect == Dialect.POSTGRESQL) s.raw(" COLLATE \"C\"");
        }

        @Override
        List<String> raw(Sql s, String prefix) {
            s.raw(expression).raw(" AS " + prefix + "v");
            return List.of(prefix + "v");
        }

        @Override
        void rankOf(Sql s, List<String> raw) {
            s.raw("CASE WHEN " + raw.get(0) + " IS NULL THEN 1 ELSE 5 END");
        }

        @Override
        void numOf(Sql s, List<String> raw) {
            s.raw("0");
        }

        @Override
        void strOf(Sql s, List<String> raw) {
            s.raw("COALESCE(" + raw.get(0) + ", '')");
            if (dialect == Dialect.POSTGRESQL) s.raw(" COLLATE \"C\"");
        }

        @Override
        String numCast() {
            return "::int";
        }
    }

    /** A numeric column, JSON number or (when NULL) JSON null. */
    static final class NumberColumn extends SqlOperand {
        private final String column;
        private final Dialect dialect;

        NumberColumn(String column, Dialect dialect) {
            this.column = column;
            this.dialect = dialect;
        }

        @Override
        void typeIn(Sql s, Set<JsonType> types) {
            boolean num = types.contains(JsonType.NUMBER);
            boolean nul = types.contains(JsonType.NULL);
            s.raw(num && nul ? TRUE : num ? column + " IS NOT NULL" : nul ? column + " IS NULL" : FALSE);
        }

        @Override
        void typeNotIn(Sql s, Set<JsonType> types) {
            boolean num = types.contains(JsonType.NUMBER);
            boolean nul = types.contains(JsonType.NULL);
            s.raw(num && nul ? FALSE : num ? column + " IS NULL" : nul ? column + " IS NOT NULL" : TRUE);
        }

        @Override
        void boolIs(Sql s, boolean b) {
            s.raw(FALSE);
        }

        @Override
        void compareScalar(Sql s, Operator op, Literal lit) {
            if (!(lit instanceof Literal.Num n)) {
                s.raw(FALSE);
                return;
            }
            s.raw(column).raw(" ").raw(sqlOp(op)).raw(" ");
            bindNumber(s, n, dialect);
        }

        @Override
        void inScalars(Sql s, List<Literal> literals, boolean not) {
            if (!(literals.get(0) instanceof Literal.Num)) {
                s.raw(FALSE);
                return;
            }
            s.raw(column).raw(not ? " NOT IN (" : " IN (");
            for (int i = 0; i < literals.size(); i++) {
                if (i > 0) s.raw(", ");
                bindNumber(s, (Literal.Num) literals.get(i), dialect);
            }
            s.raw(")");
        }

        @Override
        void stringTest(Sql s, Condition.Function fn, String arg, boolean holds) {
            s.raw(FALSE);
        }

        @Override
        void rank(Sql s) {
            s.raw("CASE WHEN ").raw(column).raw(" IS NULL THEN 1 ELSE 4 END");
        }

        @Override
        void num(Sql s) {
            s.raw("COALESCE(").raw(column).raw(", 0)");
        }

        @Override
        void str(Sql s) {
            s.raw("''");
        }

        @Override
        List<String> raw(Sql s, String prefix) {
            s.raw(column).raw(" AS " + prefix + "v");
            return List.of(prefix + "v");
        }

        @Override
        void rankOf(Sql s, List<String> raw) {
            s.raw("CASE WHEN " + raw.get(0) + " IS NULL THEN 1 ELSE 4 END");
        }

        @Override
        void numOf(Sql s, List<String> raw) {
            s.raw("COALESCE(" + raw.get(0) + ", 0)");
        }

        @Override
        void strOf(Sql s, List<String> raw) {
            s.raw("''");
        }

        @Override
        String numCast() {
            return "::numeric";
        }
    }
}
