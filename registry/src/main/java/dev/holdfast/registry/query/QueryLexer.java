package dev.holdfast.registry.query;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits query text into tokens. Hand-written and single-pass; every character it does not accept
 * becomes a {@link QuerySyntaxException} at that character, never another exception.
 *
 * <p>Identifiers are ASCII ({@code [A-Za-z_][A-Za-z0-9_]*}); keywords are identifiers compared
 * case-insensitively by the parser. Strings are single-quoted with {@code ''} for a quote. Numbers are
 * unsigned ({@code 12}, {@code 1.5}, {@code 2e-3}); the parser applies a leading minus.
 */
final class QueryLexer {

    enum Type {
        IDENT("a name"), STRING("a string"), NUMBER("a number"), STAR("'*'"), COMMA("','"), LPAREN("'('"), RPAREN("')'"),
        LBRACKET("'['"), RBRACKET("']'"), DOT("'.'"), MINUS("'-'"), EQ("'='"), NE("'!='"), LT("'<'"), LE("'<='"), GT("'>'"),
        GE("'>='"), EOF("end of query");

        final String description;

        Type(String description) {
            this.description = description;
        }
    }

    /** One token: its type, its text (for strings: the value, quotes removed) and where it starts. */
    record Token(Type type, String text, int position) {
        boolean isKeyword(String keyword) {
            return type == Type.IDENT && text.equalsIgnoreCase(keyword);
        }

        /** How an error message names this token. */
        String describe() {
            return switch (type) {
                case EOF -> "end of query";
                case STRING -> "string " + excerpt("'" + text.replace("'", "''") + "'");
                default -> "'" + excerpt(text) + "'";
            };
        }

        private static String excerpt(String s) {
            return s.length() <= 40 ? s : s.substring(0, 37) + "...";
        }
    }

    private static final int MAX_NUMBER_LENGTH = 64;

    private QueryLexer() {
    }

    static List<Token> tokenize(String query) {
        if (query == null) throw new QuerySyntaxException(0, "the query is empty", "SELECT");
        int bytes = utf8Length(query);
        if (bytes > QueryLimits.MAX_QUERY_BYTES) {
            throw new QuerySyntaxException(0, "the query is " + bytes + " bytes long; the limit is " + QueryLimits.MAX_QUERY_BYTES
                    + " bytes (UTF-8)", "a shorter query");
        }
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int n = query.length();
        while (i < n) {
            char c = query.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                i++;
                continue;
            }
            int start = i;
            if (isIdentStart(c)) {
                while (i < n && isIdentPart(query.charAt(i))) i++;
                tokens.add(new Token(Type.IDENT, query.substring(start, i), start));
            } else if (c >= '0' && c <= '9') {
                i = number(query, i, tokens);
            } else if (c == '\'') {
                i = string(query, i, tokens);
            } else {
                Type t;
                int len = 1;
                switch (c) {
                    case '*' -> t = Type.STAR;
                    case ',' -> t = Type.COMMA;
                    case '(' -> t = Type.LPAREN;
                    case ')' -> t = Type.RPAREN;
                    case '[' -> t = Type.LBRACKET;
                    case ']' -> t = Type.RBRACKET;
                    case '.' -> t = Type.DOT;
                    case '-' -> t = Type.MINUS;
                    case '=' -> t = Type.EQ;
                    case '!' -> {
                        if (i + 1 < n && query.charAt(i + 1) == '=') {
                            t = Type.NE;
                            len = 2;
                        } else {
                            throw new QuerySyntaxException(i, "unexpected '!'", "'!=' or NOT");
                        }
                    }
                    case '<' -> {
                        if (i + 1 < n && query.charAt(i + 1) == '=') {
                            t = Type.LE;
                            len = 2;
                        } else if (i + 1 < n && query.charAt(i + 1) == '>') {
                            t = Type.NE;
                            len = 2;
                        } else {
                            t = Type.LT;
                        }
                    }
                    case '>' -> {
                        if (i + 1 < n && query.charAt(i + 1) == '=') {
                            t = Type.GE;
                            len = 2;
                        } else {
                            t = Type.GT;
                        }
                    }
                    default -> throw unexpected(query, i);
                }
                tokens.add(new Token(t, query.substring(i, i + len), start));
                i += len;
            }
        }
        tokens.add(new Token(Type.EOF, "", n));
        return tokens;
    }

    private static QuerySyntaxException unexpected(String query, int i) {
        char c = query.charAt(i);
        if (c == '"') {
            return new QuerySyntaxException(i, "strings are written in single quotes, not '\"'", "a string in single quotes");
        }
        if (c == '$') {
            return new QuerySyntaxException(i, "names starting with '$' are reserved for system properties and cannot be queried",
                    "a name");
        }
        if (c == '\0') return new QuerySyntaxException(i, "the query contains a NUL character (U+0000)", "a printable character");
        int cp = query.codePointAt(i);
        String shown = Character.isISOControl(cp) || Character.isSurrogate(c) ? String.format("U+%04X", cp) : "'" + Character.toString(cp) + "'";
        String hint = cp > 0x7f ? " (names outside ASCII are written tags['name'])" : "";
        return new QuerySyntaxException(i, "unexpected character " + shown + hint, "a name, a value or an operator");
    }

    private static int number(String q, int i, List<Token> tokens) {
        int start = i;
        int n = q.length();
        while (i < n && isDigit(q.charAt(i))) i++;
        if (i < n && q.charAt(i) == '.') {
            i++;
            if (i >= n || !isDigit(q.charAt(i))) throw new QuerySyntaxException(i, "expected a digit after the decimal point", "a digit");
            while (i < n && isDigit(q.charAt(i))) i++;
        }
        if (i < n && (q.charAt(i) == 'e' || q.charAt(i) == 'E')) {
            i++;
            if (i < n && (q.charAt(i) == '+' || q.charAt(i) == '-')) i++;
            if (i >= n || !isDigit(q.charAt(i))) throw new QuerySyntaxException(i, "expected a digit in the exponent", "a digit");
            while (i < n && isDigit(q.charAt(i))) i++;
        }
        if (i < n && (isIdentPart(q.charAt(i)) || q.charAt(i) == '.')) {
            throw new QuerySyntaxException(i, "unexpected '" + q.charAt(i) + "' after a number", "a space or an operator after the number");
        }
        if (i - start > MAX_NUMBER_LENGTH) {
            throw new QuerySyntaxException(start, "the number has " + (i - start) + " characters; the limit is " + MAX_NUMBER_LENGTH,
                    "a shorter number");
        }
        tokens.add(new Token(Type.NUMBER, q.substring(start, i), start));
        return i;
    }

    private static int string(String q, int i, List<Token> tokens) {
        int start = i;
        int n = q.length();
        StringBuilder sb = new StringBuilder();
        i++;
        while (true) {
            if (i >= n) throw new QuerySyntaxException(start, "the string starting here is not closed", "a closing '");
            char c = q.charAt(i);
            if (c == '\'') {
                if (i + 1 < n && q.charAt(i + 1) == '\'') {
                    sb.append('\'');
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            if (c == '\0') throw new QuerySyntaxException(i, "the string contains a NUL character (U+0000)", "a printable character");
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(q.charAt(i + 1))) {
                sb.append(c).append(q.charAt(i + 1));
                i += 2;
                continue;
            }
            if (Character.isSurrogate(c)) {
                throw new QuerySyntaxException(i, String.format("the string contains an unpaired surrogate U+%04X", (int) c),
                        "well-formed UTF-16 text");
            }
            sb.append(c);
            i++;
        }
        tokens.add(new Token(Type.STRING, sb.toString(), start));
        return i;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c);
    }

    private static int utf8Length(String s) {
        if (s.length() * 3 <= QueryLimits.MAX_QUERY_BYTES) return s.length(); // cannot exceed; exact length not needed
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
