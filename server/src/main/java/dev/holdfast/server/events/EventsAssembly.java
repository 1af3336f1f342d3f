package dev.holdfast.server.events;

import dev.holdfast.events.alert.AlertEngine;
import dev.holdfast.events.alert.AlertRule;
import dev.holdfast.events.alert.ExpiringCertificate;
import dev.holdfast.events.alert.JdbcNetworkMemory;
import dev.holdfast.events.export.ExportCursors;
import dev.holdfast.events.export.ExportPipeline;
import dev.holdfast.events.export.ExportTls;
import dev.holdfast.events.export.Exporter;
import dev.holdfast.events.export.JsonLinesFileExporter;
import dev.holdfast.events.export.KafkaExporter;
import dev.holdfast.events.export.SyslogTlsExporter;
import dev.holdfast.events.export.WebhookExporter;
import dev.holdfast.events.EventSubscription;
import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.pki.CertificateFilter;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.Pki;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.registry.Registry;
import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.config.Settings;
import dev.holdfast.server.http.RouteModule;
import dev.holdfast.server.pki.PkiAssembly;
import dev.holdfast.store.Database;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The events area as the server runs it: the exporters declared in {@code events.exporters} (built
 * when the server starts, so a missing secret or unreadable CA file refuses the start), their
 * pipeline, the alert engine with its certificate check, the SOAR actions and the event routes.
 * {@link #open} builds and checks; {@link #start} starts threads once the metrics registry exists.
 */
public final class EventsAssembly implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventsAssembly.class);

    private final HoldfastConfig config;
    private final Database db;
    private final JdbcEventLog events;
    private final Pki pki;
    private final List<Built> exporters;
    private final AlertEngine alerts;
    private final SoarActions actions;
    private final List<AutoCloseable> running = new ArrayList<>();
    private volatile ExportPipeline pipeline;

    private record Built(ExporterConfig config, Exporter exporter) {
    }

    private EventsAssembly(HoldfastConfig config, Database db, JdbcEventLog events, Pki pki, List<Built> exporters, AlertEngine alerts,
                           SoarActions actions) {
        this.config = config;
        this.db = db;
        this.events = events;
        this.pki = pki;
        this.exporters = exporters;
        this.alerts = alerts;
        this.actions = actions;
    }

    /** Builds every exporter (reading secrets and trust files), the alert engine and the actions; starts nothing. */
    public static EventsAssembly open(HoldfastConfig config, Database db, JdbcEventLog events, Pki pki, Registry registry,
                                      Map<String, String> env, Clock clock) {
        List<Built> built = new ArrayList<>();
        try {
            List<ExporterConfig> declared = config.get(Settings.EVENTS_EXPORTERS);
            for (int i = 0; i < declared.size(); i++) {
                ExporterConfig c = declared.get(i);
                try {
                    built.add(new Built(c, build(c, env, clock, config.get(Settings.SERVER_PUBLIC_HOSTNAME))));
                } catch (RuntimeException e) {
                    throw new IllegalStateException("events.exporters[" + i + "] (" + c.spec().name() + "): " + e.getMessage(), e);
                }
            }
            List<AlertRule> rules = config.get(Settings.EVENTS_ALERT_RULES);
            AlertEngine alerts = new AlertEngine(rules, events, new JdbcNetworkMemory(db), clock);
            SoarActions actions = new SoarActions(db, events, registry, pki, clock);
            return new EventsAssembly(config, db, events, pki, built, alerts, actions);
        } catch (RuntimeException e) {
            for (Built b : built) b.exporter().close();
            throw e;
        }
    }

    static Exporter build(ExporterConfig c, Map<String, String> env, Clock clock, String hostname) {
        String version = Optional.ofNullable(EventsAssembly.class.getPackage().getImplementationVersion()).orElse("development");
        return switch (c) {
            case ExporterConfig.Syslog s -> new SyslogTlsExporter(s.host(), s.port(), tls(s.caFile(), s.clientCertificateFile(), s.clientKeyFile()),
                    s.facility(), hostname, s.confirmDelay(), s.connectTimeout(), version);
            case ExporterConfig.Webhook w -> {
                byte[] secret = secret(w, env);
                try {
                    yield new WebhookExporter(w.url(), tls(w.caFile(), Optional.empty(), Optional.empty()), secret, w.timeout(), clock);
                } finally {
                    java.util.Arrays.fill(secret, (byte) 0);
                }
            }
            case ExporterConfig.Kafka k -> new KafkaExporter(k.bootstrapServers(), k.topic(), k.properties(), k.timeout());
            case ExporterConfig.File f -> new JsonLinesFileExporter(f.path(), f.maxBytes(), f.keep());
        };
    }

    /** The HMAC key: the file's bytes (trailing newline stripped) or the variable's value; never logged. */
    private static byte[] secret(ExporterConfig.Webhook w, Map<String, String> env) {
        byte[] secret;
        if (w.secretFile().isPresent()) {
            try {
                String text = Files.readString(w.secretFile().get(), StandardCharsets.UTF_8).strip();
                secret = text.getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException("secretFile cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        } else {
            String name = w.secretEnv().orElseThrow();
            String value = env.get(name);
            if (value == null || value.isBlank()) throw new IllegalStateException("secretEnv: the variable " + name + " is not set");
            secret = value.strip().getBytes(StandardCharsets.UTF_8);
        }
        if (secret.length < 16) throw new IllegalStateException("the webhook secret is shorter than 16 bytes (expected: at least 32 random bytes)");
        return secret;
    }

    private static ExportTls tls(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile) {
        try {
            List<X509Certificate> roots = caFile.map(PkiAssembly::readPem).orElse(List.of());
            SSLContext ctx;
            if (certFile.isPresent() && keyFile.isPresent()) {
                List<X509Certificate> chain = PkiAssembly.readPem(certFile.get());
                ctx = TlsPolicy.sslContext(readKey(keyFile.get()), chain.toArray(X509Certificate[]::new), roots.isEmpty() ? jdkRoots() : roots);
            } else if (!roots.isEmpty()) {
                ctx = TlsPolicy.clientContext(roots);
            } else {
                ctx = SSLContext.getInstance("TLS");
                ctx.init(null, null, null); // the JDK's trusted roots, for a SIEM with a public certificate
            }
            return new ExportTls(ctx, TlsPolicy::apply);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the TLS client context: " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> jdkRoots() throws java.security.GeneralSecurityException {
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init((java.security.KeyStore) null);
        for (var tm : tmf.getTrustManagers()) {
            if (tm instanceof javax.net.ssl.X509TrustManager x) return List.of(x.getAcceptedIssuers());
        }
        return List.of();
    }

    /** An unencrypted PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}), EC or RSA. */
    private static PrivateKey readKey(Path file) {
        try {
            String pem = Files.readString(file, StandardCharsets.US_ASCII);
            int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
            int end = pem.indexOf("-----END PRIVATE KEY-----");
            if (begin < 0 || end < begin) throw new IllegalStateException("tls.keyFile is not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY)");
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
            for (String alg : List.of("EC", "RSA", "Ed25519")) {
                try {
                    return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (java.security.spec.InvalidKeySpecException tryNext) {
                    // not this algorithm
                }
            }
            throw new IllegalStateException("tls.keyFile holds a key of an unsupported algorithm (expected: EC, RSA or Ed25519)");
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("tls.keyFile cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Starts the exporters, the alert engine, the certificate check and the retention schedule. */
    public void start(MeterRegistry metrics) {
        ExportPipeline p = new ExportPipeline(events, new ExportCursors(db), events::lastSequence, metrics, Duration.ofSeconds(1));
        events.onAppended(seq -> p.wake());
        pipeline = p;
        running.add(p);
        for (Built b : exporters) p.add(b.config().spec(), b.config().type(), b.exporter());
        if (!alerts.rules().isEmpty()) {
            EventSubscription sub = alerts.attach(events);
            running.add(sub);
        }
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("events-schedule").daemon().factory());
        running.add(s::shutdownNow);
        Duration retention = config.get(Settings.EVENTS_RETENTION);
        long every = config.get(Settings.EVENTS_RETENTION_INTERVAL).toMillis();
        s.scheduleWithFixedDelay(() -> {
            try {
                int n = events.enforceRetention(retention);
                if (n > 0) log.info("event retention removed {} events older than {}", n, retention);
            } catch (RuntimeException e) {
                log.warn("event retention failed", e);
            }
        }, Math.min(every, 60_000), every, TimeUnit.MILLISECONDS);
        if (alerts.rules().stream().anyMatch(r -> r instanceof AlertRule.CertificateExpiry)) {
            long check = config.get(Settings.EVENTS_CERTIFICATE_CHECK_INTERVAL).toMillis();
            s.scheduleWithFixedDelay(this::checkCertificates, 5_000, check, TimeUnit.MILLISECONDS);
        }
    }

    /** Feeds the unrevoked certificates to the expiry rules (paged through the CA's records). */
    int checkCertificates() {
        try {
            List<ExpiringCertificate> certs = new ArrayList<>();
            Optional<String> after = Optional.empty();
            for (int page = 0; page < 10_000; page++) {
                List<IssuedCertificate> batch = pki.ca().search(new CertificateFilter(null, null, null, null, null,
                        Optional.of(IssuedCertificate.Status.GOOD), 1000, after));
                for (IssuedCertificate c : batch) {
                    certs.add(new ExpiringCertificate(c.serialHex(), c.subject(), c.deviceId(), c.notAfter()));
                }
                if (batch.size() < 1000) break;
                after = Optional.of(batch.get(batch.size() - 1).serialHex());
            }
            return alerts.checkCertificates(certs);
        } catch (RuntimeException e) {
            log.warn("certificate expiry check failed", e);
            return 0;
        }
    }

    public AlertEngine alerts() {
        return alerts;
    }

    public SoarActions actions() {
        return actions;
    }

    public Optional<ExportPipeline> pipeline() {
        return Optional.ofNullable(pipeline);
    }

    public List<RouteModule> routes() {
        return List.of(new EventRoutes(events, this::pipeline), new ActionRoutes(actions));
    }

    @Override
    public void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                log.warn("closing {} failed", running.get(i), e);
            }
        }
        if (pipeline == null) for (Built b : exporters) b.exporter().close();
    }
}
