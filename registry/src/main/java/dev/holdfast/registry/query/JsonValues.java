package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Small value rules shared by the SQL side and the reference evaluator, each stated once: how numbers
 * are bound and shown, how times are shown, how strings are ordered.
 */
public final class JsonValues {
    /**
     * How {@code lastActivityTime} is shown: ISO-8601 in UTC, always with milliseconds, so that the
     * ordinal order of the strings is the order of the instants (for years 0000 to 9999).
     */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private JsonValues() {
    }

    /** {@code epochMillis} as {@code lastActivityTime} is shown, in query results and in the device view alike. */
    public static String timestamp(long epochMillis) {
        return TIMESTAMP.format(Instant.ofEpochMilli(epochMillis));
    }

    /** A whole number in the range of {@code long}, or null. */
    static Long exactLong(BigDecimal value) {
        if (value.signum() == 0) return 0L;
        BigDecimal stripped = value.stripTrailingZeros();
        if (stripped.scale() > 0) return null;
        if (stripped.compareTo(LONG_MIN) < 0 || stripped.compareTo(LONG_MAX) > 0) return null;
        return stripped.longValueExact();
    }

    /**
     * How a number is bound on SQLite, which has 64-bit integers and doubles: a whole number in range
     * as a {@code Long}, anything else as the nearest {@code Double}.
     */
    static Object sqliteNumber(BigDecimal value) {
        Long l = exactLong(value);
        return l != null ? (Object) l : (Object) value.doubleValue();
    }

    /**
     * Compares two numbers the way SQLite does: exactly when both are whole numbers within the range
     * of {@code long}, otherwise as doubles. PostgreSQL compares exactly; the two agree for numbers of
     * up to 15 significant digits.
     */
    static int compareNumbers(BigDecimal a, BigDecimal b) {
        Long la = exactLong(a);
        Long lb = exactLong(b);
        if (la != null && lb != null) return Long.compare(la, lb);
        return Double.compare(a.doubleValue() + 0.0, b.doubleValue() + 0.0); // + 0.0 folds -0.0 into 0.0
    }

    /** Shown form of a number in group keys: a long when whole and in range, else a double. */
    static JsonNode normalNumber(BigDecimal value) {
        Long l = exactLong(value);
        return l != null ? LongNode.valueOf(l) : DoubleNode.valueOf(value.doubleValue());
    }

    static BigDecimal decimal(JsonNode number) {
        if (number.isIntegralNumber()) return new BigDecimal(number.bigIntegerValue());
        if (number.isBigDecimal()) return number.decimalValue();
        return new BigDecimal(Double.toString(number.doubleValue()));
    }

    /**
     * Ordinal (Unicode code point) order, which is what SQLite's BINARY collation and PostgreSQL's
     * {@code "C"} collation give for UTF-8 text. {@link String#compareTo} compares UTF-16 units and
     * differs for characters above U+FFFF.
     */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    static JsonType typeOf(JsonNode v) {
        if (v == null || v.isMissingNode()) return null;
        if (v.isNull()) return JsonType.NULL;
        if (v.isBoolean()) return JsonType.BOOLEAN;
        if (v.isNumber()) return JsonType.NUMBER;
        if (v.isTextual()) return JsonType.STRING;
        if (v.isArray()) return JsonType.ARRAY;
        if (v.isObject()) return JsonType.OBJECT;
        return null; // binary or POJO nodes never come from parsed JSON
    }
}
