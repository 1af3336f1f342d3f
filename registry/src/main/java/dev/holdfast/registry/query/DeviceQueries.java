package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;

/**
 * Runs fleet queries (the IoT Hub query language and Holdfast's extensions) against the registry.
 *
 * <p>Every row is a JSON object in the device twin's shape (see {@code docs/registry.md}):
 * {@code {"deviceId", "hub", "status", "statusReason", "lifecycle", "parentId", "modelId",
 * "connectionState", "lastActivityTime", "capabilities": {...}, "health": {"compliance", "risk",
 * "reasons"}, "version", "etag", "tags": {...}, "properties": {"desired": {...}, "reported": {...}}}},
 * or the projection the query asks for.
 */
public interface DeviceQueries {

    /**
     * Executes {@code query}. Syntax errors throw {@link QuerySyntaxException} with the position and
     * what was expected.
     *
     * @param continuation the token of the previous page, or empty for the first page
     * @param pageSize     rows per page, 1..1000 (TOP n caps the whole result, pageSize the page)
     */
    QueryPage execute(String query, Optional<String> continuation, int pageSize);

    /** One page of results and the token for the next page, if any. */
    record QueryPage(List<JsonNode> rows, Optional<String> continuation) {
        public QueryPage {
            rows = List.copyOf(rows);
            continuation = continuation == null ? Optional.empty() : continuation;
        }
    }
}
