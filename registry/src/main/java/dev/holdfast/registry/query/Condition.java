package dev.holdfast.registry.query;

import java.util.List;
import java.util.Optional;

/**
 * A WHERE condition. Every condition evaluates to true, false or undefined (see
 * {@code docs/query-language.md}, "Semantics"); a device matches when its condition is true.
 */
sealed interface Condition {

    /** All terms; two or more. */
    record And(List<Condition> terms) implements Condition {
        public And {
            terms = List.copyOf(terms);
            if (terms.size() < 2) throw new IllegalArgumentException("terms: " + terms.size() + " (expected: >= 2)");
        }
    }

    /** Any term; two or more. */
    record Or(List<Condition> terms) implements Condition {
        public Or {
            terms = List.copyOf(terms);
            if (terms.size() < 2) throw new IllegalArgumentException("terms: " + terms.size() + " (expected: >= 2)");
        }
    }

    record Not(Condition term) implements Condition {
        public Not {
            if (term == null) throw new IllegalArgumentException("term: null");
        }
    }

    /** {@code path op literal}; a query's {@code literal op path} is stored flipped. */
    record Comparison(FieldPath path, Operator op, Literal value) implements Condition {
        public Comparison {
            if (path == null || op == null || value == null) throw new IllegalArgumentException("Comparison: null part");
        }
    }

    /** {@code path IN [..]}, or {@code path NIN [..]} when {@code negated}. */
    record Membership(FieldPath path, List<Literal> values, boolean negated) implements Condition {
        public Membership {
            values = List.copyOf(values);
            if (path == null || values.isEmpty()) throw new IllegalArgumentException("Membership: path and at least one value required");
        }
    }

    /** A built-in function of one path and, for the string functions, a string argument. */
    record Call(Function function, FieldPath path, Optional<String> argument) implements Condition {
        public Call {
            if (function == null || path == null || argument == null) throw new IllegalArgumentException("Call: null part");
            if (function.takesString() != argument.isPresent()) {
                throw new IllegalArgumentException("argument: " + argument + " (expected: " + (function.takesString() ? "a string" : "none") + ")");
            }
        }
    }

    enum Operator {
        EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        String symbol() {
            return symbol;
        }

        /** The operator with its operands swapped: {@code 3 < x} is {@code x > 3}. */
        Operator flipped() {
            return switch (this) {
                case EQ, NE -> this;
                case LT -> GT;
                case LE -> GE;
                case GT -> LT;
                case GE -> LE;
            };
        }

        /** The operator that is false exactly where this one is true (for values of one type). */
        Operator negated() {
            return switch (this) {
                case EQ -> NE;
                case NE -> EQ;
                case LT -> GE;
                case LE -> GT;
                case GT -> LE;
                case GE -> LT;
            };
        }

        boolean isOrdering() {
            return this != EQ && this != NE;
        }
    }

    enum Function {
        IS_DEFINED(false), IS_NULL(false), IS_STRING(false), IS_NUMBER(false), IS_BOOL(false), IS_OBJECT(false), IS_ARRAY(false),
        STARTSWITH(true), ENDSWITH(true), CONTAINS(true);

        private final boolean takesString;

        Function(boolean takesString) {
            this.takesString = takesString;
        }

        boolean takesString() {
            return takesString;
        }

        /** For the {@code IS_} type tests: the type tested; {@code null} for IS_DEFINED and the string functions. */
        JsonType testedType() {
            return switch (this) {
                case IS_NULL -> JsonType.NULL;
                case IS_STRING -> JsonType.STRING;
                case IS_NUMBER -> JsonType.NUMBER;
                case IS_BOOL -> JsonType.BOOLEAN;
                case IS_OBJECT -> JsonType.OBJECT;
                case IS_ARRAY -> JsonType.ARRAY;
                default -> null;
            };
        }
    }
}
