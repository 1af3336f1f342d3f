package dev.holdfast.registry.query;

import java.util.List;
import java.util.Optional;

/**
 * Where the previous page ended: the sort values of its last row and, for device rows, its id. The
 * next page starts strictly after it in (ORDER BY keys, id) order, so pages neither skip nor repeat
 * rows while the data does not change.
 */
record Keyset(List<SortValue> values, Optional<String> deviceId) {
    Keyset {
        values = List.copyOf(values);
        if (deviceId == null) throw new IllegalArgumentException("deviceId: null (expected: empty for groups)");
    }
}
