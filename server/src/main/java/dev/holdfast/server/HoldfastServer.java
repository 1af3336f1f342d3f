package dev.holdfast.server;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.pki.Pki;
import dev.holdfast.server.config.HoldfastConfig;
import dev.holdfast.server.config.Settings;
import dev.holdfast.server.events.EventsAssembly;
import dev.holdfast.server.http.ApiServer;
import dev.holdfast.server.http.ApiTokenRoutes;
import dev.holdfast.server.http.ApiTokens;
import dev.holdfast.server.http.ReadinessCheck;
import dev.holdfast.server.http.ServerIdentity;
import dev.holdfast.server.pki.PkiAssembly;
import dev.holdfast.server.pki.PkiRoutes;
import dev.holdfast.server.pki.ServerCertificates;
import dev.holdfast.server.provisioning.DpsMqttGateway;
import dev.holdfast.server.provisioning.ProvisioningAssembly;
import dev.holdfast.server.registry.OpenApiRoutes;
import dev.holdfast.server.posture.PostureAssembly;
import dev.holdfast.server.hub.HubAssembly;
import dev.holdfast.server.http.RouteModule;
import dev.holdfast.server.registry.RegistryAssembly;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.holdfast.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The running {@code holdfast server} process, wired by hand: the store, the event log, API tokens,
 * the PKI (created on first start), the bootstrap files, the device registry and the HTTPS listener
 * with a certificate from the infrastructure CA. {@link #start} brings them up in that order and {@link #close} takes
 * them down in reverse, each step once.
 */
public final class HoldfastServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HoldfastServer.class);

    private final Path dataDir;
    private final List<AutoCloseable> resources;
    private final ApiServer api;
    private final Pki pki;
    private final Database db;
    private final JdbcEventLog events;
    private final RegistryAssembly registry;
    private final OpenApiRoutes openApi;
    private final ProvisioningAssembly provisioning;
    private final HubAssembly hub;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean closed;

    private HoldfastServer(Path dataDir, List<AutoCloseable> resources, ApiServer api, Pki pki, Database db, JdbcEventLog events,
                           RegistryAssembly registry, OpenApiRoutes openApi, ProvisioningAssembly provisioning, HubAssembly hub) {
        this.dataDir = dataDir;
        this.resources = resources;
        this.api = api;
        this.pki = pki;
        this.db = db;
        this.events = events;
        this.registry = registry;
        this.openApi = openApi;
        this.provisioning = provisioning;
        this.hub = hub;
    }

    /**
     * Opens (or creates) the data directory's store, runs the migrations, creates the CA hierarchy
     * and writes the bootstrap files on first start, and starts listening. On failure, whatever was
     * opened is closed again.
     */
    public static HoldfastServer start(Path dataDir, HoldfastConfig config, Map<String, String> env) {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            DataDirectory.prepare(dataDir);
            Database db = Database.open(StoreConfigs.from(config, dataDir));
            opened.add(db);
            db.migrate("server");
            JdbcEventLog events = new JdbcEventLog(db);
            opened.add(events);
            ApiTokens tokens = new ApiTokens(db, events, Clock.systemUTC());
            Path bootstrap = dataDir.resolve("bootstrap");
            BootstrapFiles.ensureAdminToken(bootstrap, tokens);

            Pki pki = PkiAssembly.open(config, dataDir, db, events, env);
            opened.add(pki);
            pki.initialize().start();
            Path bundle = BootstrapFiles.writeTrustBundle(bootstrap, pki.ca().trustAnchors());
            log.info("trust bundle written to {}", bundle);

            RegistryAssembly registry = RegistryAssembly.open(db, events, dataDir, Clock.systemUTC());
            opened.add(registry);
            ProvisioningAssembly provisioning = ProvisioningAssembly.open(config, db, pki, registry.registry(), events, Clock.systemUTC());
            pki.est().setEnrollmentAuthorizer(provisioning.provisioning().estAuthorizer());

            List<X509Certificate> staticAnchors = new ArrayList<>(List.of(pki.ca().caCertificate("devices"), pki.ca().caCertificate("infrastructure")));
            staticAnchors.addAll(PkiAssembly.manufacturerCas(config));
            // Manufacturer CAs uploaded for provisioning are trusted at the handshake too (IDevIDs as client certificates).
            Supplier<List<X509Certificate>> clientAnchors = () -> {
                List<X509Certificate> all = new ArrayList<>(staticAnchors);
                all.addAll(provisioning.provisioning().clientCertificateAnchors());
                return all;
            };
            String host = config.get(Settings.SERVER_PUBLIC_HOSTNAME);
            List<String> sans = config.get(Settings.SERVER_TLS_SUBJECT_ALT_NAMES);
            ServerCertificates.Issued tls = ServerCertificates.issue(pki, host, sans, clientAnchors.get());
            EventsAssembly eventsArea = EventsAssembly.open(config, db, events, pki, registry.registry(), env, Clock.systemUTC());
            opened.add(eventsArea);
            PostureAssembly posture = PostureAssembly.open(config, db, events, registry.registry(), pki, dataDir, Clock.systemUTC());
            opened.add(posture);
            OpenApiRoutes openApi = new OpenApiRoutes();
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ApiServer.bindJvmMetrics(meters, opened);
            DpsMqttGateway dpsOverMqtt = new DpsMqttGateway(provisioning.provisioning().registrations());
            opened.add(dpsOverMqtt);
            HubAssembly hub = config.get(Settings.HUB_ENABLED)
                    ? HubAssembly.start(config, tls.identity(), pki, registry.registry(), db, events, meters, dpsOverMqtt) : null;
            if (hub != null) opened.add(hub);
            List<RouteModule> routes = new ArrayList<>(List.of(new ApiTokenRoutes(tokens),
                    new PkiRoutes(pki, config.get(Settings.PKI_EST_BOOTSTRAP_TOKEN_VALIDITY)), registry.routes(), posture.routes(), openApi));
            routes.addAll(provisioning.routes());
            routes.addAll(eventsArea.routes());
            if (hub != null) routes.add(hub.routes());

            ApiServer api = ApiServer.builder(tls.identity(), tokens)
                    .bind(config.get(Settings.SERVER_HTTPS_BIND_ADDRESS), config.get(Settings.SERVER_HTTPS_PORT))
                    .shutdownGrace(config.get(Settings.SERVER_SHUTDOWN_GRACE_PERIOD))
                    .events(events)
                    .readiness(ReadinessCheck.of("database", db::isReachable),
                            ReadinessCheck.of("certificate-authority", () -> pki.ca().isInitialized()))
                    .metrics(meters)
                    .routes(routes)
                    .build();
            opened.add(api);
            api.start();
            provisioning.provisioning().onManufacturerCasChanged(() -> api.updateIdentity(
                    ServerIdentity.of(api.identity().privateKey(), api.identity().chain(), clientAnchors.get())));
            opened.add(scheduleRenewal(pki, api, tls.renewAt(), host, sans, clientAnchors));
            eventsArea.start(api.metrics());
            events.emit(SecurityEvent.builder(EventClass.API_ACTIVITY, "server.started").source("server")
                    .message("Holdfast server started at " + api.uri()).detail("serverCertificate", tls.certificate().serialHex()).build());
            HoldfastServer server = new HoldfastServer(dataDir, opened, api, pki, db, events, registry, openApi, provisioning, hub);
            log.info("Holdfast server ready at {} (data directory {})", api.uri(), dataDir.toAbsolutePath());
            return server;
        } catch (RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    /** Re-issues the server certificate at two thirds of its lifetime and swaps it into the listener. */
    private static AutoCloseable scheduleRenewal(Pki pki, ApiServer api, Instant renewAt, String host, List<String> sans,
                                                 Supplier<List<X509Certificate>> anchors) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("server-cert-renewal").daemon().factory());
        Runnable renew = new Runnable() {
            @Override
            public void run() {
                try {
                    ServerCertificates.Issued next = ServerCertificates.issue(pki, host, sans, anchors.get());
                    api.updateIdentity(next.identity());
                    s.schedule(this, Math.max(60, Duration.between(Instant.now(), next.renewAt()).toSeconds()), TimeUnit.SECONDS);
                } catch (RuntimeException e) {
                    log.error("server certificate renewal failed; retrying in 10 minutes", e);
                    s.schedule(this, 10, TimeUnit.MINUTES);
                }
            }
        };
        s.schedule(renew, Math.max(60, Duration.between(Instant.now(), renewAt).toSeconds()), TimeUnit.SECONDS);
        return s::shutdownNow;
    }

    public URI httpsUri() {
        return api.uri();
    }

    public int httpsPort() {
        return api.port();
    }

    public Path dataDir() {
        return dataDir;
    }

    public Pki pki() {
        return pki;
    }

    public Database database() {
        return db;
    }

    public JdbcEventLog events() {
        return events;
    }

    /** The device registry and its query engine. */
    public RegistryAssembly registry() {
        return registry;
    }

    /** Zero-touch provisioning: enrollments, manufacturer CAs, linked hubs and the DPS registration service. */
    public ProvisioningAssembly provisioning() {
        return provisioning;
    }

    /** The OpenAPI document served at {@code /api/v1/openapi.json}, and the routes it is held against. */
    public OpenApiRoutes openApi() {
        return openApi;
    }

    /** The device hub; empty when {@code hub.enabled} is false. */
    public java.util.Optional<HubAssembly> hub() {
        return java.util.Optional.ofNullable(hub);
    }

    /** Blocks until {@link #close()} has finished (from a shutdown hook or another thread). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * Graceful stop: the HTTPS listener stops accepting and lets requests in flight finish within the
     * grace period, then the PKI, the event log and the store close.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        log.info("Holdfast server stopping");
        closeAll(resources);
        log.info("Holdfast server stopped");
        stopped.countDown();
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("closing {} failed", resources.get(i).getClass().getSimpleName(), e);
            }
        }
    }
}
