package dev.holdfast.provisioning.internal;

import dev.holdfast.provisioning.ProvisioningRefusal;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per registration id and per source address. In memory and per node: a limit protects
 * this node's CA and store; a device that spreads over nodes gets at most nodes × the limit.
 */
public final class RateLimits {
    /** Buckets kept at most; past this the table starts over (an attacker rotating keys cannot grow memory). */
    private static final int MAX_BUCKETS = 100_000;

    private final Clock clock;
    private final double perDevicePerMinute;
    private final double perSourcePerMinute;
    private final ConcurrentHashMap<String, Bucket> devices = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Bucket> sources = new ConcurrentHashMap<>();

    /** @param perDevicePerMinute also the burst; 0 turns the limit off (likewise per source) */
    public RateLimits(Clock clock, int perDevicePerMinute, int perSourcePerMinute) {
        if (perDevicePerMinute < 0 || perSourcePerMinute < 0) throw new IllegalArgumentException("rate limits: negative (expected: >= 0, 0 = off)");
        this.clock = clock;
        this.perDevicePerMinute = perDevicePerMinute;
        this.perSourcePerMinute = perSourcePerMinute;
    }

    public void checkSource(String source) {
        if (perSourcePerMinute > 0 && !take(sources, source, perSourcePerMinute)) {
            throw ProvisioningRefusal.throttled("source " + source + " exceeded " + (int) perSourcePerMinute + " registration requests per minute").exception();
        }
    }

    public void checkDevice(String registrationId) {
        if (perDevicePerMinute > 0 && !take(devices, registrationId, perDevicePerMinute)) {
            throw ProvisioningRefusal.throttled("registration id '" + registrationId + "' exceeded " + (int) perDevicePerMinute
                    + " registration requests per minute").exception();
        }
    }

    private boolean take(ConcurrentHashMap<String, Bucket> map, String key, double perMinute) {
        if (map.size() > MAX_BUCKETS) map.clear();
        long now = clock.millis();
        Bucket b = map.computeIfAbsent(key, k -> new Bucket(perMinute, now));
        synchronized (b) {
            double refill = (now - b.at) * perMinute / 60_000.0;
            b.tokens = Math.min(perMinute, b.tokens + Math.max(0, refill));
            b.at = now;
            if (b.tokens < 1) return false;
            b.tokens -= 1;
            return true;
        }
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }
}
