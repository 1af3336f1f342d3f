package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Continuation tokens: where a page ended ({@link Keyset}), how much of TOP n is left, and which
 * query they belong to, as {@code base64url(JSON) "." base64url(HMAC-SHA256(key, JSON))}.
 *
 * <p>The MAC makes them tamper-evident: a client can read a token (it holds nothing secret, only the
 * sort values of a row it has already seen) but not forge or alter one, so a token can never carry
 * a value the server did not put there. A token names the SHA-256 of its query's text and is refused
 * for any other query. Tokens do not expire; one over changed data continues after the same key.
 */
final class ContinuationTokens {
    static final int MAX_TOKEN_CHARS = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    ContinuationTokens(byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("continuationKey: " + (key == null ? "null" : key.length + " bytes") + " (expected: >= 16 bytes)");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** Where the next page starts and how many rows TOP still allows, if it limits them. */
    record Cursor(Keyset keyset, OptionalInt remaining) {
    }

    String issue(String query, Keyset keyset, OptionalInt remaining) {
        ObjectNode p = JSON.createObjectNode();
        p.put("v", 1);
        p.put("q", fingerprint(query));
        ArrayNode keys = p.putArray("k");
        for (SortValue v : keyset.values()) {
            keys.addArray().add(v.rank()).add(v.num().toString()).add(v.str());
        }
        keyset.deviceId().ifPresent(id -> p.put("id", id));
        remaining.ifPresent(r -> p.put("r", r));
        byte[] payload = p.toString().getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(payload) + "." + B64.encodeToString(mac(payload));
    }

    /** Reads a token issued for {@code query}; anything else is a {@link QuerySyntaxException}. */
    Cursor read(String query, String token) {
        try {
            if (token == null || token.length() > MAX_TOKEN_CHARS) throw invalid();
            int dot = token.indexOf('.');
            if (dot < 0) throw invalid();
            byte[] payload = B64D.decode(token.substring(0, dot));
            byte[] tag = B64D.decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(tag, mac(payload))) throw invalid();
            // Authentic from here on: we wrote it. The checks below only guard against other versions.
            JsonNode p = JSON.readTree(payload);
            if (p.path("v").asInt() != 1 || !fingerprint(query).equals(p.path("q").asText())) throw invalid();
            List<SortValue> values = new ArrayList<>();
            for (JsonNode k : p.path("k")) {
                values.add(new SortValue(k.get(0).asInt(), new BigDecimal(k.get(1).asText()), k.get(2).asText()));
            }
            Optional<String> id = p.hasNonNull("id") ? Optional.of(p.get("id").asText()) : Optional.empty();
            OptionalInt remaining = p.hasNonNull("r") ? OptionalInt.of(p.get("r").asInt()) : OptionalInt.empty();
            return new Cursor(new Keyset(values, id), remaining);
        } catch (QuerySyntaxException e) {
            throw e;
        } catch (RuntimeException | java.io.IOException e) {
            throw invalid();
        }
    }

    private static QuerySyntaxException invalid() {
        return new QuerySyntaxException(0, "the continuation token is not one this server issued for this query",
                "the continuation token returned with the previous page of the same query");
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static String fingerprint(String query) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(query.getBytes(StandardCharsets.UTF_8));
            return B64.encodeToString(Arrays.copyOf(h, 16));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
