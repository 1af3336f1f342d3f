package dev.holdfast.pki.internal;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.pki.Refusal;
import dev.holdfast.pki.RevocationReason;
import dev.holdfast.pki.internal.crl.RevokedEntries;
import dev.holdfast.pki.internal.crl.StreamingCrlWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes one CRL per CA that Holdfast holds a key for (RFC 5280 §5): regenerated shortly after
 * each revocation (changes within {@link #DEBOUNCE_MS} are folded into one CRL) and re-signed on a
 * schedule so nextUpdate never passes. The current CRL is kept as a file under the data directory
 * and in memory for serving; CRL numbers are kept in the store and only increase.
 */
public final class CrlPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CrlPublisher.class);
    static final long DEBOUNCE_MS = 100;

    private final DefaultCertificateAuthority ca;
    private final Path directory;
    private final Map<String, byte[]> current = new ConcurrentHashMap<>();
    private final Map<String, AtomicBoolean> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;

    public CrlPublisher(DefaultCertificateAuthority ca, Path directory) {
        this.ca = ca;
        this.directory = directory;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("crl-publisher").daemon().factory());
        ca.addRevocationListener(c -> schedule(c.caName()));
    }

    /** Publishes every CA's CRL now and re-signs them every {@code crlRefresh}. */
    public void start() {
        for (Authority a : ca.activeAuthorities()) publish(a.name());
        long every = ca.settings().crlRefresh().toMillis();
        scheduler.scheduleAtFixedRate(() -> {
            for (Authority a : ca.activeAuthorities()) {
                try {
                    publish(a.name());
                } catch (RuntimeException e) {
                    log.error("scheduled CRL publication for {} failed; the previous CRL stays until its nextUpdate", a.name(), e);
                }
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    private void schedule(String caName) {
        AtomicBoolean flag = pending.computeIfAbsent(caName, k -> new AtomicBoolean());
        if (flag.compareAndSet(false, true)) {
            scheduler.schedule(() -> {
                flag.set(false);
                try {
                    publish(caName);
                } catch (RuntimeException e) {
                    log.error("CRL publication for {} after a revocation failed", caName, e);
                }
            }, DEBOUNCE_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Builds, signs and publishes the CRL of {@code caName}; returns its size in bytes. */
    public synchronized long publish(String caName) {
        Authority authority = ca.authority(caName);
        RevokedEntries entries = new RevokedEntries();
        ca.repository().forEachRevoked(caName, (serialHex, at, reason) ->
                entries.add(new BigInteger(serialHex, 16), at, reason == RevocationReason.UNSPECIFIED.code() ? RevokedEntries.NO_REASON : reason));
        BigInteger number = BigInteger.valueOf(nextCrlNumber(caName));
        Instant thisUpdate = ca.clock().instant();
        Instant nextUpdate = thisUpdate.plus(ca.settings().crlValidity());
        Path file = directory.resolve(caName + ".crl");
        Path tmp = directory.resolve(caName + ".crl.tmp");
        long size;
        try {
            Files.createDirectories(directory);
            try (OutputStream out = Files.newOutputStream(tmp)) { // the writer emits large chunks itself
                size = StreamingCrlWriter.forIssuer(authority.holder()).write(entries, number, thisUpdate, nextUpdate,
                        authority.signer().contentSigner(), out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            current.put(caName, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write CRL for " + caName + " to " + file + ": " + e.getMessage(), e);
        }
        log.debug("published CRL #{} for {}: {} entries, {} bytes", number, caName, entries.size(), size);
        ca.events().emit(SecurityEvent.builder(EventClass.ENTITY_MANAGEMENT, "crl.published").source("pki")
                .message("CRL #" + number + " for " + caName + " with " + entries.size() + " entries")
                .detail("ca", caName).detail("crlNumber", number).detail("entries", entries.size()).detail("nextUpdate", nextUpdate).build());
        return size;
    }

    private long nextCrlNumber(String caName) {
        return ca.database().inTransaction(c -> {
            long next;
            try (PreparedStatement ps = c.prepareStatement("SELECT crl_number FROM crl_state WHERE ca_name = ?")) {
                ps.setString(1, caName);
                try (ResultSet rs = ps.executeQuery()) {
                    next = rs.next() ? rs.getLong(1) + 1 : 1;
                }
            }
            try (PreparedStatement del = c.prepareStatement("DELETE FROM crl_state WHERE ca_name = ?")) {
                del.setString(1, caName);
                del.executeUpdate();
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO crl_state (ca_name, crl_number, this_update) VALUES (?,?,?)")) {
                ins.setString(1, caName);
                ins.setLong(2, next);
                ins.setLong(3, ca.clock().millis());
                ins.executeUpdate();
            }
            return next;
        });
    }

    /** The current DER CRL of {@code caName}. */
    public byte[] crl(String caName) {
        byte[] b = current.get(caName);
        if (b == null) throw Refusal.notFound("unknown-crl", "no CRL is published for CA '" + caName + "'");
        return b;
    }

    /** Waits until pending regenerations have run; for tests and orderly shutdown. */
    public void flush() {
        try {
            scheduler.schedule(() -> { }, DEBOUNCE_MS + 10, TimeUnit.MILLISECONDS).get();
            scheduler.submit(() -> { }).get();
        } catch (Exception e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
