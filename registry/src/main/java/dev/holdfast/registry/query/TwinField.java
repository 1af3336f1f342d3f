package dev.holdfast.registry.query;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The fields of the device twin a query may name, with the column of table {@code device} that holds
 * each. Column names here are constants of this file: they are the only identifiers, besides
 * validated JSON member names, that the SQL compiler writes into SQL text.
 */
enum TwinField {
    DEVICE_ID("deviceId", "id", Kind.STRING),
    HUB("hub", "hub", Kind.STRING),
    STATUS("status", "status", Kind.STRING),
    STATUS_REASON("statusReason", "status_reason", Kind.STRING),
    LIFECYCLE("lifecycle", "lifecycle", Kind.STRING),
    PARENT_ID("parentId", "parent_id", Kind.STRING),
    MODEL_ID("modelId", "model_id", Kind.STRING),
    CONNECTION_STATE("connectionState", "connection_state", Kind.STRING),
    LAST_ACTIVITY_TIME("lastActivityTime", "last_activity", Kind.TIMESTAMP),
    VERSION("version", "version", Kind.NUMBER),
    HEALTH_COMPLIANCE("health.compliance", "health_compliance", Kind.STRING),
    HEALTH_RISK("health.risk", "health_risk", Kind.NUMBER),
    HEALTH_REASONS("health.reasons", "health_reasons", Kind.JSON),
    CAPABILITIES("capabilities", "capabilities", Kind.JSON),
    TAGS("tags", "tags", Kind.JSON),
    DESIRED("properties.desired", "desired", Kind.JSON),
    REPORTED("properties.reported", "reported", Kind.JSON);

    /**
     * How a field is stored: a text column (JSON string or null), a numeric column (JSON number or
     * null), epoch milliseconds shown as an ISO-8601 string, or a JSON document.
     */
    enum Kind { STRING, NUMBER, TIMESTAMP, JSON }

    private final String path;
    private final String column;
    private final Kind kind;
    private final List<String> twinPath;

    TwinField(String path, String column, Kind kind) {
        this.path = path;
        this.column = column;
        this.kind = kind;
        this.twinPath = List.of(path.split("\\."));
    }

    /** The dotted name in queries and in the twin document, e.g. {@code properties.reported}. */
    String path() {
        return path;
    }

    /** The column of table {@code device}; a constant, safe to write into SQL. */
    String column() {
        return column;
    }

    Kind kind() {
        return kind;
    }

    /** Member names from the twin document's root to this field. */
    List<String> twinPath() {
        return twinPath;
    }

    boolean isDocument() {
        return kind == Kind.JSON;
    }

    static Optional<TwinField> byPath(String path) {
        return Arrays.stream(values()).filter(f -> f.path.equals(path)).findFirst();
    }

    /** The names a query may start a path with, for error messages. */
    static String names() {
        return String.join(", ", Arrays.stream(values()).map(TwinField::path).toList());
    }
}
