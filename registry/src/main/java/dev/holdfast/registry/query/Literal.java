package dev.holdfast.registry.query;

import java.math.BigDecimal;

/** A constant in a query: a string, a number, {@code true}, {@code false} or {@code null}. */
sealed interface Literal {
    /** The JSON type a value must have to be compared with this literal. */
    JsonType type();

    /** The literal as query text. */
    String text();

    record Str(String value) implements Literal {
        public Str {
            if (value == null) throw new IllegalArgumentException("value: null");
        }

        @Override
        public JsonType type() {
            return JsonType.STRING;
        }

        @Override
        public String text() {
            return "'" + value.replace("'", "''") + "'";
        }
    }

    /** A number, exactly as written; see {@link #sqliteValue()} for how it is bound on SQLite. */
    record Num(BigDecimal value) implements Literal {
        public Num {
            if (value == null) throw new IllegalArgumentException("value: null");
        }

        @Override
        public JsonType type() {
            return JsonType.NUMBER;
        }

        @Override
        public String text() {
            return value.toString();
        }

        /** A {@code Long} when the value is a whole number in range, else a {@code Double}. */
        Object sqliteValue() {
            return JsonValues.sqliteNumber(value);
        }
    }

    record Bool(boolean value) implements Literal {
        @Override
        public JsonType type() {
            return JsonType.BOOLEAN;
        }

        @Override
        public String text() {
            return Boolean.toString(value);
        }
    }

    record Null() implements Literal {
        @Override
        public JsonType type() {
            return JsonType.NULL;
        }

        @Override
        public String text() {
            return "null";
        }
    }
}
