package dev.holdfast.registry.query;

/**
 * The limits of the query language, each refused with a {@link QuerySyntaxException} that names it.
 * They bound the work one query can cause and the size of the SQL it compiles to; documented in
 * {@code docs/query-language.md}, "Limits".
 */
final class QueryLimits {
    /** Query text, UTF-8 encoded. IoT Hub's limit is also 8 KB. */
    static final int MAX_QUERY_BYTES = 8 * 1024;
    /** Nested parentheses and NOTs in a condition. */
    static final int MAX_DEPTH = 32;
    /** Values in one IN or NIN list. */
    static final int MAX_IN_VALUES = 256;
    /** Member names below a document field ({@code tags.a.b} has 2). The registry stores at most 10 levels. */
    static final int MAX_PATH_KEYS = 16;
    /** Characters in one member name (as the registry's own limit). */
    static final int MAX_KEY_LENGTH = 128;
    /** Projected columns. */
    static final int MAX_COLUMNS = 32;
    /** Paths in GROUP BY, keys in ORDER BY. */
    static final int MAX_GROUP_BY = 8;
    static final int MAX_ORDER_BY = 8;
    /** Largest n in TOP n. */
    static final int MAX_TOP = 1_000_000;
    /** Leaf conditions (comparisons, IN lists, function calls) in WHERE. */
    static final int MAX_CONDITIONS = 256;

    private QueryLimits() {
    }
}
