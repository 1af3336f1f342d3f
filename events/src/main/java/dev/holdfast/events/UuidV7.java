package dev.holdfast.events;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/** UUID version 7 (RFC 9562 §5.7): 48-bit Unix milliseconds, then random bits; sorts by time. */
public final class UuidV7 {
    private static final SecureRandom RANDOM = new SecureRandom();

    private UuidV7() {
    }

    public static UUID at(Instant time) {
        long millis = time.toEpochMilli();
        long randA = RANDOM.nextInt(1 << 12);
        long msb = (millis << 16) | 0x7000L | randA;
        long lsb = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }

    public static UUID now() {
        return at(Instant.now());
    }
}
