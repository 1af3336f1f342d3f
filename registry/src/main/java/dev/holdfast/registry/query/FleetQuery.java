package dev.holdfast.registry.query;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A parsed fleet query: {@code SELECT [TOP n] selection FROM devices [WHERE condition]
 * [GROUP BY path, ...] [ORDER BY path [ASC|DESC], ...]}. {@link QueryParser} makes one from text and
 * checks the rules that tie the clauses together (a GROUP BY query projects only COUNT() and grouped
 * paths, and so on); {@link QueryText} writes one back as text.
 */
record FleetQuery(Selection selection, OptionalInt top, Optional<Condition> where, List<FieldPath> groupBy, List<SortKey> orderBy) {
    FleetQuery {
        if (selection == null || top == null || where == null) throw new IllegalArgumentException("FleetQuery: null part");
        groupBy = List.copyOf(groupBy);
        orderBy = List.copyOf(orderBy);
    }

    /** True for {@code SELECT COUNT() ...} without GROUP BY: one row with the number of matching devices. */
    boolean isCountOnly() {
        return groupBy.isEmpty() && selection instanceof Columns c && c.columns().stream().allMatch(x -> x instanceof CountColumn);
    }

    boolean isGrouped() {
        return !groupBy.isEmpty();
    }

    /** {@code *} or a list of columns. */
    sealed interface Selection permits AllColumns, Columns {
    }

    /** {@code SELECT *}: the whole twin of each device. */
    record AllColumns() implements Selection {
    }

    record Columns(List<Column> columns) implements Selection {
        Columns {
            columns = List.copyOf(columns);
            if (columns.isEmpty()) throw new IllegalArgumentException("columns: empty");
        }
    }

    /** One projected value, named {@code name} in result rows. */
    sealed interface Column permits PathColumn, CountColumn {
        String name();
    }

    record PathColumn(FieldPath path, String name) implements Column {
    }

    /** {@code COUNT() [AS name]}: the number of devices in the group (or matching, without GROUP BY). */
    record CountColumn(String name) implements Column {
    }

    record SortKey(FieldPath path, boolean descending) {
    }
}
