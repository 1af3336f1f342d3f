package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.registry.query.Condition.Operator;
import dev.holdfast.registry.query.FleetQuery.AllColumns;
import dev.holdfast.registry.query.FleetQuery.Column;
import dev.holdfast.registry.query.FleetQuery.Columns;
import dev.holdfast.registry.query.FleetQuery.CountColumn;
import dev.holdfast.registry.query.FleetQuery.PathColumn;
import dev.holdfast.registry.query.FleetQuery.SortKey;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link FleetQuery} over device twins in memory, written directly from the semantics in
 * {@code docs/query-language.md} and sharing nothing with the SQL compiler but the AST. It is the
 * oracle of the differential tests (the SQL of both databases must give what this gives) and the
 * engine of {@link InMemoryDeviceQueries}.
 *
 * <p>Conditions use three-valued (Kleene) logic: a comparison with a missing value or a value of
 * another JSON type is {@link Truth#UNDEFINED}; {@code NOT} keeps it undefined; {@code AND} is false
 * when any term is false, {@code OR} true when any term is true; a device matches only when its
 * condition is {@link Truth#TRUE}.
 */
final class ReferenceEvaluator {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    enum Truth {
        TRUE, FALSE, UNDEFINED;

        static Truth of(boolean b) {
            return b ? TRUE : FALSE;
        }

        Truth not() {
            return switch (this) {
                case TRUE -> FALSE;
                case FALSE -> TRUE;
                case UNDEFINED -> UNDEFINED;
            };
        }
    }

    private ReferenceEvaluator() {
    }

    /**
     * The whole result of {@code q} over {@code twins}, in order, TOP applied. Rows of SELECT * are
     * the given twins themselves, not copies.
     */
    static List<JsonNode> run(FleetQuery q, Collection<JsonNode> twins) {
        List<JsonNode> matching = new ArrayList<>();
        for (JsonNode twin : twins) {
            if (q.where().isEmpty() || test(q.where().get(), twin) == Truth.TRUE) matching.add(twin);
        }
        int top = q.top().orElse(Integer.MAX_VALUE);
        if (q.isCountOnly()) {
            ObjectNode row = NODES.objectNode();
            for (Column c : ((Columns) q.selection()).columns()) row.put(c.name(), (long) matching.size());
            return top >= 1 ? List.of(row) : List.of();
        }
        if (q.isGrouped()) return groups(q, matching, top);

        Comparator<JsonNode> order = Comparator.comparing((JsonNode t) -> t.get("deviceId").asText(), JsonValues::compareCodePoints);
        for (int i = q.orderBy().size() - 1; i >= 0; i--) {
            SortKey k = q.orderBy().get(i);
            Comparator<JsonNode> byKey = Comparator.comparing((JsonNode t) -> resolve(k.path(), t), ReferenceEvaluator::compareForOrder);
            order = (k.descending() ? byKey.reversed() : byKey).thenComparing(order);
        }
        matching.sort(order);
        List<JsonNode> rows = new ArrayList<>();
        for (JsonNode twin : matching.subList(0, Math.min(top, matching.size()))) rows.add(project(q, twin));
        return rows;
    }

    private static JsonNode project(FleetQuery q, JsonNode twin) {
        if (q.selection() instanceof AllColumns) return twin;
        ObjectNode row = NODES.objectNode();
        for (Column c : ((Columns) q.selection()).columns()) {
            JsonNode v = resolve(((PathColumn) c).path(), twin);
            if (v != null) row.set(c.name(), v);
        }
        return row;
    }

    private static List<JsonNode> groups(FleetQuery q, List<JsonNode> matching, int top) {
        Map<List<GroupValue>, Long> counts = new LinkedHashMap<>();
        for (JsonNode twin : matching) {
            List<GroupValue> key = new ArrayList<>();
            for (FieldPath p : q.groupBy()) key.add(GroupValue.of(resolve(p, twin)));
            counts.merge(key, 1L, Long::sum);
        }
        List<Map.Entry<List<GroupValue>, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort((a, b) -> {
            for (int i = 0; i < a.getKey().size(); i++) {
                int c = compareForOrder(a.getKey().get(i).value(), b.getKey().get(i).value());
                if (c != 0) return c;
            }
            return 0;
        });
        List<JsonNode> rows = new ArrayList<>();
        for (Map.Entry<List<GroupValue>, Long> e : entries.subList(0, Math.min(top, entries.size()))) {
            ObjectNode row = NODES.objectNode();
            for (Column c : ((Columns) q.selection()).columns()) {
                if (c instanceof CountColumn) {
                    row.put(c.name(), e.getValue());
                } else {
                    JsonNode v = e.getKey().get(q.groupBy().indexOf(((PathColumn) c).path())).value();
                    if (v != null) row.set(c.name(), v);
                }
            }
            rows.add(row);
        }
        return rows;
    }

    /**
     * A group key: a scalar with numbers in their shown form (so 5 and 5.0 are one group), or
     * {@code null} for a missing value, an object or an array, which all fall into one group.
     */
    private record GroupValue(JsonNode value) {
        static GroupValue of(JsonNode v) {
            JsonType t = JsonValues.typeOf(v);
            if (t == null || t == JsonType.OBJECT || t == JsonType.ARRAY) return new GroupValue(null);
            if (t == JsonType.NUMBER) return new GroupValue(JsonValues.normalNumber(JsonValues.decimal(v)));
            return new GroupValue(v);
        }
    }

    /**
     * The order of ORDER BY and of groups: undefined (missing, objects and arrays) first, then null,
     * false, true, numbers by value, strings by code point.
     */
    static int compareForOrder(JsonNode a, JsonNode b) {
        int ra = rank(a);
        int rb = rank(b);
        if (ra != rb) return Integer.compare(ra, rb);
        if (ra == 4) return JsonValues.compareNumbers(JsonValues.decimal(a), JsonValues.decimal(b));
        if (ra == 5) return JsonValues.compareCodePoints(a.textValue(), b.textValue());
        return 0;
    }

    static int rank(JsonNode v) {
        JsonType t = JsonValues.typeOf(v);
        if (t == null) return 0;
        return switch (t) {
            case NULL -> 1;
            case BOOLEAN -> v.booleanValue() ? 3 : 2;
            case NUMBER -> 4;
            case STRING -> 5;
            case OBJECT, ARRAY -> 0;
        };
    }

    /** The value at {@code path} in {@code twin}, or {@code null} when there is none. */
    static JsonNode resolve(FieldPath path, JsonNode twin) {
        JsonNode node = twin;
        for (String name : path.twinPath()) {
            if (node == null || !node.isObject()) return null;
            node = node.get(name);
        }
        return node;
    }

    static Truth test(Condition c, JsonNode twin) {
        return switch (c) {
            case Condition.And and -> {
                Truth result = Truth.TRUE;
                for (Condition term : and.terms()) {
                    Truth t = test(term, twin);
                    if (t == Truth.FALSE) yield Truth.FALSE;
                    if (t == Truth.UNDEFINED) result = Truth.UNDEFINED;
                }
                yield result;
            }
            case Condition.Or or -> {
                Truth result = Truth.FALSE;
                for (Condition term : or.terms()) {
                    Truth t = test(term, twin);
                    if (t == Truth.TRUE) yield Truth.TRUE;
                    if (t == Truth.UNDEFINED) result = Truth.UNDEFINED;
                }
                yield result;
            }
            case Condition.Not not -> test(not.term(), twin).not();
            case Condition.Comparison cmp -> compare(resolve(cmp.path(), twin), cmp.op(), cmp.value());
            case Condition.Membership m -> {
                JsonNode v = resolve(m.path(), twin);
                Truth result = Truth.FALSE;
                for (Literal l : m.values()) {
                    Truth t = compare(v, Operator.EQ, l);
                    if (t == Truth.TRUE) {
                        result = Truth.TRUE;
                        break;
                    }
                    if (t == Truth.UNDEFINED) result = Truth.UNDEFINED;
                }
                yield m.negated() ? result.not() : result;
            }
            case Condition.Call call -> call(call, resolve(call.path(), twin));
        };
    }

    /** {@code v op lit}: undefined unless {@code v} exists and has the literal's type. */
    static Truth compare(JsonNode v, Operator op, Literal lit) {
        JsonType t = JsonValues.typeOf(v);
        if (t == null || t != lit.type()) return Truth.UNDEFINED;
        int c;
        switch (lit) {
            case Literal.Null n -> {
                return switch (op) {
                    case EQ -> Truth.TRUE;
                    case NE -> Truth.FALSE;
                    default -> Truth.UNDEFINED;
                };
            }
            case Literal.Bool b -> {
                return switch (op) {
                    case EQ -> Truth.of(v.booleanValue() == b.value());
                    case NE -> Truth.of(v.booleanValue() != b.value());
                    default -> Truth.UNDEFINED;
                };
            }
            case Literal.Num n -> c = JsonValues.compareNumbers(JsonValues.decimal(v), n.value());
            case Literal.Str s -> c = JsonValues.compareCodePoints(v.textValue(), s.value());
        }
        return Truth.of(switch (op) {
            case EQ -> c == 0;
            case NE -> c != 0;
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            case GE -> c >= 0;
        });
    }

    private static Truth call(Condition.Call call, JsonNode v) {
        JsonType t = JsonValues.typeOf(v);
        return switch (call.function()) {
            case IS_DEFINED -> Truth.of(t != null);
            case IS_NULL, IS_STRING, IS_NUMBER, IS_BOOL, IS_OBJECT, IS_ARRAY -> Truth.of(t == call.function().testedType());
            case STARTSWITH, ENDSWITH, CONTAINS -> {
                if (t != JsonType.STRING) yield Truth.UNDEFINED;
                String s = v.textValue();
                String arg = call.argument().orElseThrow();
                yield Truth.of(switch (call.function()) {
                    case STARTSWITH -> s.startsWith(arg);
                    case ENDSWITH -> s.endsWith(arg);
                    default -> s.contains(arg);
                });
            }
        };
    }
}
