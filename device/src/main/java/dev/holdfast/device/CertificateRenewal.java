package dev.holdfast.device;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps a device's operational certificate fresh: once {@code fraction} of its lifetime has
 * passed, renews it over EST with a new key and hands the new identity to {@code onRenewed} (which
 * typically stores it and calls {@code HubClient.replaceIdentity}). A failed renewal is retried
 * with a jittered delay of up to a tenth of the remaining lifetime (at least a second), so a
 * server that is down for a while does not make the device miss its window.
 * One virtual thread per device, sleeping between checks.
 */
public final class CertificateRenewal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewal.class);
    private final Thread thread;
    private volatile boolean closed;
    private volatile DeviceIdentity current;
    private volatile long renewals;
    private volatile long failures;

    private CertificateRenewal(EstClient est, DeviceIdentity initial, Supplier<DeviceKey> newKey, double fraction,
                               Consumer<DeviceIdentity> onRenewed) {
        if (!(fraction > 0 && fraction < 1)) throw new IllegalArgumentException("fraction: " + fraction + " (expected: 0 < f < 1)");
        this.current = initial;
        this.thread = Thread.ofVirtual().name("renewal-" + initial.commonName()).unstarted(() -> loop(est, newKey, fraction, onRenewed));
    }

    public static CertificateRenewal start(EstClient est, DeviceIdentity initial, Supplier<DeviceKey> newKey, double fraction,
                                           Consumer<DeviceIdentity> onRenewed) {
        CertificateRenewal r = new CertificateRenewal(est, initial, newKey, fraction, onRenewed);
        r.thread.start();
        return r;
    }

    private void loop(EstClient est, Supplier<DeviceKey> newKey, double fraction, Consumer<DeviceIdentity> onRenewed) {
        while (!closed) {
            DeviceIdentity id = current;
            long from = id.leaf().getNotBefore().getTime();
            long to = id.leaf().getNotAfter().getTime();
            long due = from + (long) ((to - from) * fraction);
            long wait = due - System.currentTimeMillis();
            try {
                if (wait > 0) {
                    Thread.sleep(Math.min(wait, Duration.ofHours(1).toMillis()));
                    continue;
                }
                DeviceIdentity renewed = est.reenroll(id, newKey.get());
                current = renewed;
                renewals++;
                onRenewed.accept(renewed);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failures++;
                long left = Math.max(0, to - Instant.now().toEpochMilli());
                long retry = Math.max(1000, ThreadLocalRandom.current().nextLong(Math.max(1, left / 10) + 1));
                LOG.warn("certificate renewal of {} failed ({}), retrying in {} ms", id.commonName(), e.getMessage(), retry);
                try {
                    Thread.sleep(retry);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    public DeviceIdentity current() {
        return current;
    }

    public long renewals() {
        return renewals;
    }

    public long failures() {
        return failures;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
