package dev.holdfast.registry.query;

import dev.holdfast.registry.query.FleetQuery.AllColumns;
import dev.holdfast.registry.query.FleetQuery.Column;
import dev.holdfast.registry.query.FleetQuery.Columns;
import dev.holdfast.registry.query.FleetQuery.CountColumn;
import dev.holdfast.registry.query.FleetQuery.PathColumn;
import dev.holdfast.registry.query.FleetQuery.SortKey;

import java.util.stream.Collectors;

/**
 * Writes a {@link FleetQuery} as query text that {@link QueryParser} reads back to an equal query;
 * nested AND and OR terms are parenthesised so the tree survives the round trip.
 */
final class QueryText {
    private QueryText() {
    }

    static String of(FleetQuery q) {
        StringBuilder sb = new StringBuilder("SELECT ");
        q.top().ifPresent(n -> sb.append("TOP ").append(n).append(' '));
        if (q.selection() instanceof AllColumns) {
            sb.append('*');
        } else {
            sb.append(((Columns) q.selection()).columns().stream().map(QueryText::column).collect(Collectors.joining(", ")));
        }
        sb.append(" FROM devices");
        q.where().ifPresent(c -> sb.append(" WHERE ").append(of(c)));
        if (q.isGrouped()) {
            sb.append(" GROUP BY ").append(q.groupBy().stream().map(FieldPath::text).collect(Collectors.joining(", ")));
        }
        if (!q.orderBy().isEmpty()) {
            sb.append(" ORDER BY ").append(q.orderBy().stream().map(QueryText::sortKey).collect(Collectors.joining(", ")));
        }
        return sb.toString();
    }

    private static String column(Column c) {
        return switch (c) {
            case CountColumn cc -> "COUNT() AS " + cc.name();
            case PathColumn pc -> pc.name().equals(pc.path().defaultName()) ? pc.path().text() : pc.path().text() + " AS " + pc.name();
        };
    }

    private static String sortKey(SortKey k) {
        return k.path().text() + (k.descending() ? " DESC" : " ASC");
    }

    static String of(Condition c) {
        return switch (c) {
            case Condition.And a -> a.terms().stream().map(QueryText::term).collect(Collectors.joining(" AND "));
            case Condition.Or o -> o.terms().stream().map(QueryText::term).collect(Collectors.joining(" OR "));
            case Condition.Not n -> "NOT " + term(n.term());
            case Condition.Comparison cmp -> cmp.path().text() + " " + cmp.op().symbol() + " " + cmp.value().text();
            case Condition.Membership m -> m.path().text() + (m.negated() ? " NIN [" : " IN [")
                    + m.values().stream().map(Literal::text).collect(Collectors.joining(", ")) + "]";
            case Condition.Call call -> call.function().name() + "(" + call.path().text()
                    + call.argument().map(a -> ", " + new Literal.Str(a).text()).orElse("") + ")";
        };
    }

    private static String term(Condition c) {
        return c instanceof Condition.And || c instanceof Condition.Or ? "(" + of(c) + ")" : of(c);
    }
}
