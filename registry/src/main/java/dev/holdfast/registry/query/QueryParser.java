package dev.holdfast.registry.query;

import dev.holdfast.registry.query.Condition.Operator;
import dev.holdfast.registry.query.FleetQuery.AllColumns;
import dev.holdfast.registry.query.FleetQuery.Column;
import dev.holdfast.registry.query.FleetQuery.Columns;
import dev.holdfast.registry.query.FleetQuery.CountColumn;
import dev.holdfast.registry.query.FleetQuery.PathColumn;
import dev.holdfast.registry.query.FleetQuery.Selection;
import dev.holdfast.registry.query.FleetQuery.SortKey;
import dev.holdfast.registry.query.QueryLexer.Token;
import dev.holdfast.registry.query.QueryLexer.Type;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Recursive-descent parser of the fleet query language (grammar in {@code docs/query-language.md}).
 * Every input either becomes a {@link FleetQuery} or a {@link QuerySyntaxException} with the
 * 0-based character offset of the offending token and what was expected there.
 *
 * <pre>
 * query     = SELECT [TOP int] selection FROM devices [WHERE or] [GROUP BY path {, path}]
 *             [ORDER BY path [ASC|DESC] {, path [ASC|DESC]}]
 * selection = '*' | column {, column}
 * column    = COUNT '(' ')' [AS name] | path [AS name]
 * or        = and {OR and}
 * and       = unary {AND unary}
 * unary     = NOT unary | '(' or ')' | function '(' path [, string] ')' | operand compare
 * compare   = op operand | [NOT] IN list | NIN list
 * operand   = path | literal
 * list      = '[' literal {, literal} ']' | '(' literal {, literal} ')'
 * path      = field { '.' name | '[' string ']' }
 * literal   = string | ['-'] number | true | false | null
 * </pre>
 */
final class QueryParser {
    private static final Set<String> RESERVED = Set.of("select", "top", "from", "where", "group", "by", "order", "asc", "desc",
            "and", "or", "not", "in", "nin", "as", "count", "true", "false", "null", "devices");
    private static final BigDecimal MAX_MAGNITUDE = new BigDecimal("1e308");
    private static final BigDecimal MIN_MAGNITUDE = new BigDecimal("1e-308");

    private final List<Token> tokens;
    private int next;
    private int depth;
    private int conditions;

    private QueryParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** Parses a whole query. */
    static FleetQuery parse(String query) {
        return new QueryParser(QueryLexer.tokenize(query)).query();
    }

    /** Parses text that must be exactly one path, such as {@code tags.site}; for configuration. */
    static FieldPath parsePath(String path) {
        QueryParser p = new QueryParser(QueryLexer.tokenize(path));
        FieldPath result = p.path();
        p.expect(Type.EOF, "end of path");
        return result;
    }

    // ---------------------------------------------------------------------------------------------
    // statement

    private FleetQuery query() {
        expectKeyword("SELECT");
        OptionalInt top = OptionalInt.empty();
        if (peek().isKeyword("TOP")) {
            advance();
            top = OptionalInt.of(topCount());
        }
        int selectionAt = peek().position();
        List<Integer> columnPositions = new ArrayList<>();
        Selection selection = selection(columnPositions);
        expectKeyword("FROM");
        Token from = peek();
        if (!from.isKeyword("devices")) {
            throw error(from, "devices", from.type() == Type.IDENT
                    ? "only 'devices' can be queried, not " + from.describe() : null);
        }
        advance();
        String expected = "WHERE, GROUP BY, ORDER BY or end of query";
        Optional<Condition> where = Optional.empty();
        if (peek().isKeyword("WHERE")) {
            advance();
            where = Optional.of(or());
            expected = "AND, OR, GROUP BY, ORDER BY or end of query";
        }
        List<FieldPath> groupBy = new ArrayList<>();
        if (peek().isKeyword("GROUP")) {
            advance();
            expectKeyword("BY");
            do {
                if (groupBy.size() == QueryLimits.MAX_GROUP_BY) {
                    throw new QuerySyntaxException(peek().position(), "more than " + QueryLimits.MAX_GROUP_BY + " paths in GROUP BY",
                            "at most " + QueryLimits.MAX_GROUP_BY + " paths");
                }
                groupBy.add(path());
            } while (accept(Type.COMMA));
            expected = "',', ORDER BY or end of query";
        }
        List<SortKey> orderBy = new ArrayList<>();
        int orderAt = -1;
        if (peek().isKeyword("ORDER")) {
            orderAt = advance().position();
            expectKeyword("BY");
            do {
                if (orderBy.size() == QueryLimits.MAX_ORDER_BY) {
                    throw new QuerySyntaxException(peek().position(), "more than " + QueryLimits.MAX_ORDER_BY + " keys in ORDER BY",
                            "at most " + QueryLimits.MAX_ORDER_BY + " keys");
                }
                FieldPath p = path();
                boolean desc = false;
                if (peek().isKeyword("DESC")) {
                    advance();
                    desc = true;
                } else if (peek().isKeyword("ASC")) {
                    advance();
                }
                orderBy.add(new SortKey(p, desc));
            } while (accept(Type.COMMA));
            expected = "',', ASC, DESC or end of query";
        }
        if (peek().type() != Type.EOF) throw error(peek(), expected, null);
        FleetQuery q = new FleetQuery(selection, top, where, groupBy, orderBy);
        validate(q, selectionAt, columnPositions, orderAt);
        return q;
    }

    private static void validate(FleetQuery q, int selectionAt, List<Integer> columnPositions, int orderAt) {
        if (q.selection() instanceof AllColumns) {
            if (q.isGrouped()) {
                throw new QuerySyntaxException(selectionAt, "SELECT * cannot be combined with GROUP BY",
                        "COUNT() and the grouped paths instead of *");
            }
            return;
        }
        List<Column> columns = ((Columns) q.selection()).columns();
        boolean counts = columns.stream().anyMatch(c -> c instanceof CountColumn);
        if (q.isGrouped()) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i) instanceof PathColumn pc && !q.groupBy().contains(pc.path())) {
                    throw new QuerySyntaxException(columnPositions.get(i), "'" + pc.path() + "' is selected but not in GROUP BY",
                            "COUNT() or a path of the GROUP BY clause");
                }
            }
            if (!q.orderBy().isEmpty()) {
                throw new QuerySyntaxException(orderAt, "ORDER BY cannot be combined with GROUP BY; groups come in the order of their keys",
                        "end of query");
            }
        } else if (counts) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i) instanceof PathColumn pc) {
                    throw new QuerySyntaxException(columnPositions.get(i), "'" + pc.path()
                            + "' cannot be selected with COUNT() unless the query groups by it", "GROUP BY " + pc.path());
                }
            }
            if (!q.orderBy().isEmpty()) {
                throw new QuerySyntaxException(orderAt, "a COUNT() query without GROUP BY returns one row; ORDER BY is not allowed",
                        "end of query");
            }
        }
    }

    private int topCount() {
        Token t = peek();
        if (t.type() != Type.NUMBER || !t.text().chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw error(t, "a whole number after TOP", null);
        }
        advance();
        String digits = t.text().replaceFirst("^0+(?=.)", "");
        if (digits.length() > 7 || Integer.parseInt(digits) > QueryLimits.MAX_TOP || Integer.parseInt(digits) < 1) {
            throw new QuerySyntaxException(t.position(), "TOP " + t.text() + " is out of range", "1 to " + QueryLimits.MAX_TOP);
        }
        return Integer.parseInt(digits);
    }

    private Selection selection(List<Integer> positions) {
        if (accept(Type.STAR)) return new AllColumns();
        List<Column> columns = new ArrayList<>();
        Set<String> names = new HashSet<>();
        do {
            Token start = peek();
            if (columns.size() == QueryLimits.MAX_COLUMNS) {
                throw new QuerySyntaxException(start.position(), "more than " + QueryLimits.MAX_COLUMNS + " columns",
                        "at most " + QueryLimits.MAX_COLUMNS + " columns");
            }
            Column c = column();
            if (!names.add(c.name())) {
                throw new QuerySyntaxException(start.position(), "two columns are named '" + c.name() + "'", "a different name with AS");
            }
            columns.add(c);
            positions.add(start.position());
        } while (accept(Type.COMMA));
        return new Columns(columns);
    }

    private Column column() {
        Token t = peek();
        if (t.isKeyword("COUNT") && peekAt(1).type() == Type.LPAREN) {
            advance();
            advance();
            expect(Type.RPAREN, "')' (COUNT takes no argument)");
            return new CountColumn(alias().orElse("count"));
        }
        if (t.type() != Type.IDENT || RESERVED.contains(t.text().toLowerCase(Locale.ROOT))) throw error(t, "'*', COUNT() or a path", null);
        FieldPath p = path();
        return new PathColumn(p, alias().orElse(p.defaultName()));
    }

    private Optional<String> alias() {
        if (!peek().isKeyword("AS")) return Optional.empty();
        advance();
        Token name = peek();
        if (name.type() != Type.IDENT || RESERVED.contains(name.text().toLowerCase(Locale.ROOT))) {
            throw error(name, "a column name after AS", null);
        }
        advance();
        return Optional.of(name.text());
    }

    // ---------------------------------------------------------------------------------------------
    // conditions

    private Condition or() {
        List<Condition> terms = new ArrayList<>();
        terms.add(and());
        while (peek().isKeyword("OR")) {
            advance();
            terms.add(and());
        }
        return terms.size() == 1 ? terms.get(0) : new Condition.Or(terms);
    }

    private Condition and() {
        List<Condition> terms = new ArrayList<>();
        terms.add(unary());
        while (peek().isKeyword("AND")) {
            advance();
            terms.add(unary());
        }
        return terms.size() == 1 ? terms.get(0) : new Condition.And(terms);
    }

    private Condition unary() {
        Token t = peek();
        if (t.isKeyword("NOT")) {
            enter(t);
            advance();
            Condition inner = unary();
            depth--;
            return new Condition.Not(inner);
        }
        if (t.type() == Type.LPAREN) {
            enter(t);
            advance();
            Condition inner = or();
            expect(Type.RPAREN, "')', AND or OR");
            depth--;
            return inner;
        }
        if (t.type() == Type.IDENT && peekAt(1).type() == Type.LPAREN) return call();
        return predicate();
    }

    private void enter(Token t) {
        if (++depth > QueryLimits.MAX_DEPTH) {
            throw new QuerySyntaxException(t.position(), "conditions are nested more than " + QueryLimits.MAX_DEPTH + " levels deep",
                    "at most " + QueryLimits.MAX_DEPTH + " nested parentheses and NOTs");
        }
    }

    private void countCondition(Token at) {
        if (++conditions > QueryLimits.MAX_CONDITIONS) {
            throw new QuerySyntaxException(at.position(), "more than " + QueryLimits.MAX_CONDITIONS + " conditions",
                    "at most " + QueryLimits.MAX_CONDITIONS + " comparisons, IN lists and function calls");
        }
    }

    private Condition call() {
        Token name = advance();
        countCondition(name);
        Condition.Function fn;
        try {
            fn = Condition.Function.valueOf(name.text().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new QuerySyntaxException(name.position(), "unknown function '" + name.text() + "'",
                    "one of " + String.join(", ", Arrays.stream(Condition.Function.values()).map(Enum::name).toList()));
        }
        expect(Type.LPAREN, "'('");
        FieldPath p = path();
        Optional<String> arg = Optional.empty();
        if (fn.takesString()) {
            expect(Type.COMMA, "',' and a string");
            Token s = peek();
            if (s.type() != Type.STRING) throw error(s, "a string", fn.name() + " takes a path and a string in single quotes");
            advance();
            arg = Optional.of(s.text());
        }
        expect(Type.RPAREN, "')'");
        return new Condition.Call(fn, p, arg);
    }

    private Condition predicate() {
        Token first = peek();
        countCondition(first);
        Object left = operand("a condition");
        Token t = peek();
        Operator op = switch (t.type()) {
            case EQ -> Operator.EQ;
            case NE -> Operator.NE;
            case LT -> Operator.LT;
            case LE -> Operator.LE;
            case GT -> Operator.GT;
            case GE -> Operator.GE;
            default -> null;
        };
        if (op != null) {
            advance();
            Token rightAt = peek();
            Object right = operand("a value after '" + t.text() + "'");
            if (left instanceof FieldPath p && right instanceof Literal l) return new Condition.Comparison(p, op, l);
            if (left instanceof Literal l && right instanceof FieldPath p) return new Condition.Comparison(p, op.flipped(), l);
            if (left instanceof FieldPath) {
                throw new QuerySyntaxException(rightAt.position(), "comparing two paths is not supported", "a value");
            }
            throw new QuerySyntaxException(first.position(), "a comparison needs a path on one side", "a path");
        }
        boolean negated;
        if (t.isKeyword("IN")) {
            negated = false;
            advance();
        } else if (t.isKeyword("NIN")) {
            negated = true;
            advance();
        } else if (t.isKeyword("NOT") && peekAt(1).isKeyword("IN")) {
            negated = true;
            advance();
            advance();
        } else {
            throw error(t, left instanceof FieldPath ? "a comparison operator, IN or NIN" : "a comparison operator", null);
        }
        if (!(left instanceof FieldPath path)) {
            throw new QuerySyntaxException(first.position(), "IN needs a path on its left", "a path");
        }
        return new Condition.Membership(path, list(), negated);
    }

    private List<Literal> list() {
        Token open = peek();
        Type close;
        if (open.type() == Type.LBRACKET) close = Type.RBRACKET;
        else if (open.type() == Type.LPAREN) close = Type.RPAREN;
        else throw error(open, "'[' or '(' to start a list of values", null);
        advance();
        List<Literal> values = new ArrayList<>();
        do {
            if (values.size() == QueryLimits.MAX_IN_VALUES) {
                throw new QuerySyntaxException(peek().position(), "more than " + QueryLimits.MAX_IN_VALUES + " values in the list",
                        "at most " + QueryLimits.MAX_IN_VALUES + " values");
            }
            values.add(literal("a value"));
        } while (accept(Type.COMMA));
        expect(close, close == Type.RBRACKET ? "',' or ']'" : "',' or ')'");
        return values;
    }

    /** A path or a literal. */
    private Object operand(String what) {
        Token t = peek();
        if (t.type() == Type.IDENT && !isLiteralKeyword(t)) return path();
        return literal(what);
    }

    private static boolean isLiteralKeyword(Token t) {
        return t.isKeyword("true") || t.isKeyword("false") || t.isKeyword("null");
    }

    private Literal literal(String what) {
        Token t = peek();
        switch (t.type()) {
            case STRING -> {
                advance();
                return new Literal.Str(t.text());
            }
            case NUMBER -> {
                advance();
                return new Literal.Num(number(t, false));
            }
            case MINUS -> {
                advance();
                Token n = peek();
                if (n.type() != Type.NUMBER) throw error(n, "a number after '-'", null);
                advance();
                return new Literal.Num(number(n, true));
            }
            case IDENT -> {
                if (t.isKeyword("true")) {
                    advance();
                    return new Literal.Bool(true);
                }
                if (t.isKeyword("false")) {
                    advance();
                    return new Literal.Bool(false);
                }
                if (t.isKeyword("null")) {
                    advance();
                    return new Literal.Null();
                }
                throw error(t, what, "expected " + what + " (a string, a number, true, false or null) but found " + t.describe());
            }
            default -> throw error(t, what, null);
        }
    }

    private static BigDecimal number(Token t, boolean negative) {
        BigDecimal v;
        try {
            v = new BigDecimal(t.text());
        } catch (NumberFormatException | ArithmeticException e) {
            throw new QuerySyntaxException(t.position(), "the number " + t.text() + " is out of range", "a number of magnitude 1e-308 to 1e308");
        }
        BigDecimal abs = v.abs();
        if (abs.compareTo(MAX_MAGNITUDE) > 0 || (v.signum() != 0 && abs.compareTo(MIN_MAGNITUDE) < 0)) {
            throw new QuerySyntaxException(t.position(), "the number " + t.text() + " is out of range", "a number of magnitude 1e-308 to 1e308");
        }
        return negative ? v.negate() : v;
    }

    // ---------------------------------------------------------------------------------------------
    // paths

    private FieldPath path() {
        Token t = peek();
        if (t.type() != Type.IDENT) throw error(t, "a path such as tags.site", null);
        advance();
        String name = t.text();
        TwinField field;
        if (name.equals("properties")) {
            field = member(t, "desired or reported", "properties.", TwinField.DESIRED, TwinField.REPORTED);
        } else if (name.equals("health")) {
            field = member(t, "compliance, risk or reasons", "health.", TwinField.HEALTH_COMPLIANCE, TwinField.HEALTH_RISK,
                    TwinField.HEALTH_REASONS);
        } else {
            field = TwinField.byPath(name).filter(f -> !f.path().contains(".")).orElseThrow(() -> unknownField(t));
        }
        List<String> keys = new ArrayList<>();
        while (peek().type() == Type.DOT || peek().type() == Type.LBRACKET) {
            Token sep = advance();
            if (!field.isDocument()) {
                throw new QuerySyntaxException(sep.position(), "'" + field.path() + "' is a value, it has no members",
                        "an operator after " + field.path());
            }
            if (keys.size() == QueryLimits.MAX_PATH_KEYS) {
                throw new QuerySyntaxException(sep.position(), "the path has more than " + QueryLimits.MAX_PATH_KEYS + " member names",
                        "at most " + QueryLimits.MAX_PATH_KEYS + " member names");
            }
            if (sep.type() == Type.DOT) {
                Token key = peek();
                if (key.type() != Type.IDENT) {
                    throw error(key, "a member name after '.'", key.type() == Type.NUMBER
                            ? "expected a member name after '.' but found " + key.describe() + " (write ['" + key.text() + "'] for such names)"
                            : null);
                }
                advance();
                checkKey(key, key.text());
                keys.add(key.text());
            } else {
                Token key = peek();
                if (key.type() != Type.STRING) throw error(key, "a member name in single quotes after '['", null);
                advance();
                checkKey(key, key.text());
                keys.add(key.text());
                expect(Type.RBRACKET, "']'");
            }
        }
        return new FieldPath(field, keys);
    }

    private TwinField member(Token first, String expected, String prefix, TwinField... options) {
        if (peek().type() != Type.DOT) throw error(peek(), "'.' and " + expected + " after '" + first.text() + "'", null);
        advance();
        Token t = peek();
        if (t.type() == Type.IDENT) {
            for (TwinField f : options) {
                if (f.path().equals(prefix + t.text())) {
                    advance();
                    return f;
                }
            }
        }
        throw error(t, expected, null);
    }

    private static QuerySyntaxException unknownField(Token t) {
        String hint = Arrays.stream(TwinField.values()).map(TwinField::path)
                .filter(p -> p.equalsIgnoreCase(t.text()) || p.toLowerCase(Locale.ROOT).startsWith(t.text().toLowerCase(Locale.ROOT) + "."))
                .findFirst().map(p -> " (did you mean '" + p + "'?)").orElse("");
        return new QuerySyntaxException(t.position(), "unknown field '" + t.text() + "'" + hint, "one of " + TwinField.names());
    }

    private static void checkKey(Token at, String key) {
        String problem = null;
        if (key.isEmpty()) problem = "is empty";
        else if (key.codePointCount(0, key.length()) > QueryLimits.MAX_KEY_LENGTH) {
            problem = "is longer than " + QueryLimits.MAX_KEY_LENGTH + " characters";
        } else if (key.charAt(0) == '$') {
            problem = "starts with '$', which is reserved for system properties";
        } else {
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i);
                if (c < 0x20 || c == 0x7f) {
                    problem = String.format("contains the control character U+%04X", (int) c);
                    break;
                }
                if (c == '"' || c == '\\') {
                    problem = "contains '" + c + "', which member names in queries cannot contain";
                    break;
                }
            }
        }
        if (problem != null) {
            String shown = key.length() <= 40 ? key : key.substring(0, 37) + "...";
            throw new QuerySyntaxException(at.position(), "the member name '" + shown.replaceAll("\\p{Cntrl}", "?") + "' " + problem,
                    "a member name of 1 to " + QueryLimits.MAX_KEY_LENGTH + " characters without '$' at the start, '\"', '\\' or control characters");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // tokens

    private Token peek() {
        return tokens.get(next);
    }

    private Token peekAt(int ahead) {
        return tokens.get(Math.min(next + ahead, tokens.size() - 1));
    }

    private Token advance() {
        Token t = tokens.get(next);
        if (t.type() != Type.EOF) next++;
        return t;
    }

    private boolean accept(Type type) {
        if (peek().type() != type) return false;
        advance();
        return true;
    }

    private void expect(Type type, String expected) {
        if (peek().type() != type) throw error(peek(), expected, null);
        advance();
    }

    private void expectKeyword(String keyword) {
        if (!peek().isKeyword(keyword)) throw error(peek(), keyword, null);
        advance();
    }

    private static QuerySyntaxException error(Token found, String expected, String message) {
        return new QuerySyntaxException(found.position(), message != null ? message : "expected " + expected + " but found " + found.describe(),
                expected);
    }
}
