package dev.holdfast.pki;

import dev.holdfast.events.EventSink;
import dev.holdfast.pki.est.BootstrapTokens;
import dev.holdfast.pki.est.EstService;
import dev.holdfast.pki.internal.CrlPublisher;
import dev.holdfast.pki.internal.DefaultCertificateAuthority;
import dev.holdfast.pki.ocsp.OcspResponder;
import dev.holdfast.pki.spi.KeyBackend;
import dev.holdfast.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The PKI as the server runs it: the CA, its CRLs, the OCSP responder, EST and bootstrap tokens, and
 * the background work (scheduled CRLs, expiry warnings). Built once, started once, closed once.
 */
public final class Pki implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Pki.class);

    private final DefaultCertificateAuthority ca;
    private final KeyBackend keys;
    private final CrlPublisher crls;
    private final OcspResponder ocsp;
    private final BootstrapTokens tokens;
    private final EstService est;
    private final ScheduledExecutorService background =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("pki-background").daemon().factory());

    private Pki(DefaultCertificateAuthority ca, KeyBackend keys, Path dataDir, Collection<X509Certificate> manufacturerCas) {
        this.ca = ca;
        this.keys = keys;
        this.crls = new CrlPublisher(ca, dataDir.resolve("pki").resolve("crl"));
        this.ocsp = new OcspResponder(ca);
        this.tokens = new BootstrapTokens(ca.database(), ca.events(), ca.clock());
        this.est = new EstService(ca, tokens, manufacturerCas);
    }

    /** Opens the PKI on the store; the hierarchy may not exist yet (see {@link #initialize()}). */
    public static Pki open(Database db, KeyBackend keys, PkiSettings settings, EventSink events, Path dataDir,
                           Collection<X509Certificate> manufacturerCas, Clock clock) {
        return new Pki(DefaultCertificateAuthority.open(db, keys, settings, events, clock), keys, dataDir, manufacturerCas);
    }

    /** Creates the CA hierarchy when it does not exist yet. */
    public Pki initialize() {
        ca.initialize();
        return this;
    }

    /** Publishes CRLs, issues OCSP responder certificates, and schedules the periodic work. */
    public Pki start() {
        if (!ca.isInitialized()) {
            throw new IllegalStateException("the CA hierarchy is not initialized (run 'holdfast ca init', or import the issuing CAs signed by the external root)");
        }
        crls.start();
        ocsp.warmUp();
        background.scheduleWithFixedDelay(() -> {
            try {
                ca.warnExpiring();
            } catch (RuntimeException e) {
                log.warn("expiry scan failed", e);
            }
        }, 0, 1, TimeUnit.HOURS);
        return this;
    }

    public DefaultCertificateAuthority ca() {
        return ca;
    }

    public CrlPublisher crls() {
        return crls;
    }

    public OcspResponder ocsp() {
        return ocsp;
    }

    public EstService est() {
        return est;
    }

    public BootstrapTokens tokens() {
        return tokens;
    }

    @Override
    public void close() {
        background.shutdownNow();
        crls.close();
        keys.close();
    }
}
