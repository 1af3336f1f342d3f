package dev.holdfast.provisioning.internal;

import dev.holdfast.provisioning.LinkedHub;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Weighted rendezvous (highest random weight) hashing: each hub scores {@code -weight / ln(u)} with
 * {@code u} a uniform value in (0,1) drawn from SHA-256 of (hub name, key); the highest score wins.
 * The chance that a hub wins is exactly its share of the total weight, the result depends only on the
 * key and the hub set (no state: the same on every node and after restarts), and removing a hub moves
 * only that hub's keys.
 */
public final class RendezvousHashing {
    private RendezvousHashing() {
    }

    public static LinkedHub pick(String key, List<LinkedHub> hubs) {
        if (hubs.isEmpty()) throw new IllegalArgumentException("hubs: empty (expected: at least one hub to pick from)");
        LinkedHub best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (LinkedHub h : hubs) {
            double score = -h.weight() / Math.log(uniform(h.name(), key));
            // Ties are astronomically unlikely; break them by name so the result never depends on list order.
            if (score > bestScore || score == bestScore && h.name().compareTo(best.name()) < 0) {
                best = h;
                bestScore = score;
            }
        }
        return best;
    }

    /** A value in the open interval (0,1) from the first 53 bits of SHA-256(hub NUL key). */
    static double uniform(String hub, String key) {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        d.update(hub.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
        byte[] h = d.digest(key.getBytes(StandardCharsets.UTF_8));
        long bits = 0;
        for (int i = 0; i < 8; i++) bits = (bits << 8) | (h[i] & 0xff);
        return ((bits >>> 11) + 0.5) / (double) (1L << 53);
    }
}
