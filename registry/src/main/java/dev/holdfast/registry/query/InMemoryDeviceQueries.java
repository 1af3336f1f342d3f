package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link DeviceQueries} over twin documents in memory, with the same semantics as
 * {@link JdbcDeviceQueries} (the reference evaluator the differential tests hold the SQL to). Meant
 * as a fake for tests of code that runs queries, and for small fleets; every query reads every twin.
 *
 * <p>Continuation tokens here are plain offsets bound to the query text, not MAC'd: the twins are
 * the caller's own.
 */
public final class InMemoryDeviceQueries implements DeviceQueries {
    private final Supplier<? extends Collection<JsonNode>> twins;

    /**
     * @param twins the current twins in the shape {@link DeviceQueries} documents, read at every
     *              call; rows are copies, so callers may change them
     */
    public InMemoryDeviceQueries(Supplier<? extends Collection<JsonNode>> twins) {
        if (twins == null) throw new IllegalArgumentException("twins: null");
        this.twins = twins;
    }

    @Override
    public QueryPage execute(String query, Optional<String> continuation, int pageSize) {
        if (pageSize < 1 || pageSize > JdbcDeviceQueries.MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize: " + pageSize + " (expected: 1.." + JdbcDeviceQueries.MAX_PAGE_SIZE + ")");
        }
        FleetQuery q = QueryParser.parse(query);
        int from = continuation == null || continuation.isEmpty() ? 0 : offset(query, continuation.get());
        List<JsonNode> all = ReferenceEvaluator.run(q, twins.get());
        int to = Math.min(all.size(), from + pageSize);
        List<JsonNode> rows = new ArrayList<>();
        for (JsonNode r : all.subList(Math.min(from, all.size()), to)) rows.add(r.deepCopy());
        Optional<String> next = to < all.size() ? Optional.of(token(query, to)) : Optional.empty();
        return new QueryPage(rows, next);
    }

    private static String token(String query, int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((fingerprint(query) + ":" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static int offset(String query, String token) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            if (colon < 0 || !s.substring(0, colon).equals(fingerprint(query))) throw new IllegalArgumentException("other query");
            int offset = Integer.parseInt(s.substring(colon + 1));
            if (offset < 0) throw new IllegalArgumentException("negative");
            return offset;
        } catch (RuntimeException e) {
            throw new QuerySyntaxException(0, "the continuation token is not one issued for this query",
                    "the continuation token returned with the previous page of the same query");
        }
    }

    private static String fingerprint(String query) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(query.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
