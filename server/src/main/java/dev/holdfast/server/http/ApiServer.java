package dev.holdfast.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.holdfast.events.EventSink;
import dev.holdfast.pki.RefusedException;
import dev.holdfast.pki.TlsPolicy;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The HTTPS listener of the server: the REST API under {@code /api/v1/}, and whatever else route
 * modules add (EST, CRLs, OCSP, the console), plus {@code /healthz}, {@code /readyz} and
 * {@code /metrics}. Javalin on Jetty 12 with one TLS connector and no plain-HTTP listener.
 *
 * <p><b>TLS.</b> The connector takes its key, chain and client trust from a {@link ServerIdentity}
 * and its versions, suites, groups and signature schemes from {@link TlsPolicy}: a client that
 * offers only TLS 1.1 or only CBC suites is refused at the handshake. Client certificates are
 * requested but optional ({@code wantClientAuth}): EST and device endpoints read them with
 * {@link #clientCertificates(Context)}; the admin API authenticates with bearer tokens instead. The
 * identity can be swapped at run time with {@link #updateIdentity(ServerIdentity)}; new handshakes use
 * the new certificate, established connections keep theirs. Renegotiation is off.
 *
 * <p><b>Errors.</b> Every error response is RFC 9457 {@code application/problem+json}: refusals thrown
 * as {@link ProblemException}, unknown routes (404), wrong methods (405), Javalin's own validation
 * errors, errors Jetty raises before Javalin sees the request, and unexpected exceptions (500, with an
 * error id in the body and the stack trace in the log, once).
 *
 * <p><b>Shutdown.</b> {@link #close()} turns {@code /readyz} to 503, stops accepting connections, lets
 * requests in flight finish for up to the shutdown grace period, then closes what is left.
 *
 * <p>Requests run on virtual threads.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    private final String host;
    private final int requestedPort;
    private final Duration shutdownGrace;
    private final PolicySslContextFactory sslContextFactory;
    private final PrometheusMeterRegistry metrics;
    private final List<AutoCloseable> ownedMeters;
    private final List<ReadinessCheck> readinessChecks;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Javalin app;
    private volatile ServerIdentity identity;

    private ApiServer(Builder b) {
        this.host = b.host;
        this.requestedPort = b.port;
        this.shutdownGrace = b.shutdownGrace;
        this.identity = b.identity;
        this.readinessChecks = List.copyOf(b.readinessChecks);
        this.ownedMeters = new ArrayList<>();
        this.metrics = b.metrics != null ? b.metrics : newOwnedRegistry(ownedMeters);
        this.sslContextFactory = new PolicySslContextFactory(sslContext(b.identity));
        HttpMetrics httpMetrics = new HttpMetrics(metrics);
        BearerAuthentication auth = new BearerAuthentication(b.tokens, b.events, metrics);
        List<RouteModule> modules = List.copyOf(b.routeModules);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true;
            config.http.prefer405over404 = true;
            config.jsonMapper(new JavalinJackson(objectMapper(), true));
            config.requestLogger.http(httpMetrics::record);
            config.jetty.modifyServer(server -> {
                // Jetty 12 only drains requests in flight on stop when a GracefulHandler is in the chain.
                server.insertHandler(new GracefulHandler());
                server.setStopTimeout(shutdownGrace.toMillis());
                server.setStopAtShutdown(false); // the process decides the order of shutdown, not Jetty
                server.setErrorHandler(new ProblemErrorHandler());
            });
            config.jetty.addConnector((server, httpConfig) -> {
                HttpConfiguration https = new HttpConfiguration(httpConfig);
                https.setSendServerVersion(false);
                https.setSendXPoweredBy(false);
                // One certificate, chosen without SNI: checking the SNI host against it adds nothing.
                SecureRequestCustomizer secure = new SecureRequestCustomizer();
                secure.setSniHostCheck(false);
                https.addCustomizer(secure);
                ServerConnector connector = new ServerConnector(server,
                        new SslConnectionFactory(sslContextFactory, "http/1.1"), new HttpConnectionFactory(https));
                connector.setHost(host);
                connector.setPort(requestedPort);
                connector.addBean(httpMetrics); // SslHandshakeListener: counts refused handshakes
                return connector;
            });
            RoutesConfig routes = config.routes;
            routes.exception(ProblemException.class, ProblemResponses::onProblem);
            routes.exception(RefusedException.class, ProblemResponses::onRefusal);
            routes.exception(HttpResponseException.class, ProblemResponses::onJavalinResponse);
            routes.exception(Exception.class, ProblemResponses::onUnexpected);
            for (int status : new int[]{400, 401, 403, 404, 405, 406, 409, 410, 413, 415, 422, 429, 500, 501, 503}) {
                routes.error(status, ProblemResponses::onBareStatus);
            }
            routes.before("/api/v1", auth);
            routes.before("/api/v1/*", auth);
            routes.get("/healthz", ctx -> ctx.contentType("text/plain; charset=utf-8").result("ok"));
            routes.get("/readyz", this::readiness);
            routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
            for (RouteModule m : modules) m.register(routes);
        });
    }

    /**
     * Starts building a server that presents {@code identity} and authenticates the admin API with
     * {@code tokens}.
     */
    public static Builder builder(ServerIdentity identity, ApiTokens tokens) {
        return new Builder(identity, tokens);
    }

    /** Binds the port and starts serving. */
    public ApiServer start() {
        if (!started.compareAndSet(false, true)) throw new IllegalStateException("ApiServer: already started (expected: start once)");
        app.start();
        log.info("HTTPS listening on {} ({})", uri(), identity);
        return this;
    }

    /** The port bound, after {@link #start()}: the configured one, or the one the OS chose for port 0. */
    public int port() {
        return app.port();
    }

    /** The base URI, {@code https://<host>:<port>}; a wildcard bind address is shown as {@code localhost}. */
    public URI uri() {
        String h = host == null || host.equals("0.0.0.0") || host.equals("::") || host.isEmpty() ? "localhost" : host;
        if (h.contains(":")) h = "[" + h + "]";
        return URI.create("https://" + h + ":" + port());
    }

    /** The registry behind {@code /metrics}, for other components to register their meters in. */
    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    public ServerIdentity identity() {
        return identity;
    }

    /**
     * Presents {@code next} from the next handshake on (certificate renewal, a new client root).
     * Connections already established keep the old certificate until they close.
     */
    public void updateIdentity(ServerIdentity next) {
        SSLContext context = sslContext(next);
        try {
            sslContextFactory.reload(f -> f.setSslContext(context));
        } catch (Exception e) {
            throw new IllegalStateException("cannot switch the HTTPS identity to " + next + ": " + e.getMessage(), e);
        }
        this.identity = next;
        log.info("HTTPS identity now {}", next);
    }

    /**
     * The client certificate chain presented in the TLS handshake of this request, leaf first, whose
     * signatures the handshake verified up to a trusted client CA; empty when the client sent none.
     * Validity and revocation are NOT checked at the handshake: routes that rely on the certificate
     * check them, so that a refusal can be explained (see {@code TlsPolicy.serverContextDeferringClientValidity}).
     */
    public static List<X509Certificate> clientCertificates(Context ctx) {
        Object attr = ctx.req().getAttribute("jakarta.servlet.request.X509Certificate");
        return attr instanceof X509Certificate[] chain ? List.of(chain) : List.of();
    }

    /** Stops gracefully (see the class documentation). Safe to call more than once. */
    @Override
    public void close() {
        if (!stopping.compareAndSet(false, true)) return;
        log.info("HTTPS stopping: no new connections; requests in flight get up to {}", shutdownGrace);
        try {
            if (started.get()) app.stop();
        } finally {
            for (AutoCloseable c : ownedMeters) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.debug("closing a JVM metrics binder failed", e);
                }
            }
        }
    }

    private void readiness(Context ctx) {
        Map<String, String> results = new LinkedHashMap<>();
        String firstFailure = null;
        if (stopping.get()) {
            results.put("server", "shutting down");
            firstFailure = "server";
        }
        for (ReadinessCheck check : readinessChecks) {
            Optional<String> failure;
            try {
                failure = check.check();
            } catch (RuntimeException e) {
                log.warn("readiness check '{}' threw", check.name(), e);
                failure = Optional.of("check failed: " + e.getClass().getSimpleName());
            }
            results.put(check.name(), failure.orElse("ok"));
            if (failure.isPresent() && firstFailure == null) firstFailure = check.name();
        }
        if (firstFailure == null) {
            ctx.json(Map.of("status", "ready", "checks", results));
        } else {
            Problem p = new Problem(503, "not-ready", "Not ready", "readiness check '" + firstFailure + "' failed: " + results.get(firstFailure));
            ProblemResponses.write(ctx, p, Map.of("checks", results));
        }
    }

    private static SSLContext sslContext(ServerIdentity identity) {
        return TlsPolicy.serverContextDeferringClientValidity(identity.privateKey(), identity.chain().toArray(X509Certificate[]::new),
                identity.trustedClientRoots());
    }

    static ObjectMapper objectMapper() {
        return new ObjectMapper().registerModule(new Jdk8Module()).registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    private static PrometheusMeterRegistry newOwnedRegistry(List<AutoCloseable> owned) {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        bindJvmMetrics(r, owned);
        return r;
    }

    /**
     * Binds the JVM and process meters (memory, GC, threads, classes, CPU, uptime, file descriptors) to
     * {@code registry}; the binders that hold resources are added to {@code closeables}.
     */
    public static void bindJvmMetrics(PrometheusMeterRegistry registry, List<AutoCloseable> closeables) {
        new ClassLoaderMetrics().bindTo(registry);
        JvmMemoryMetrics memory = new JvmMemoryMetrics();
        memory.bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        closeables.add(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Jetty's server-side TLS factory with the whole {@link TlsPolicy} applied to every engine. */
    private static final class PolicySslContextFactory extends SslContextFactory.Server {
        PolicySslContextFactory(SSLContext context) {
            setSslContext(context);
            setIncludeProtocols(TlsPolicy.protocols());
            setIncludeCipherSuites(TlsPolicy.cipherSuites());
            setUseCipherSuitesOrder(true);
            setWantClientAuth(true);
            setRenegotiationAllowed(false);
            setEndpointIdentificationAlgorithm(null); // a server does not match client certificates to host names
        }

        @Override
        public SSLParameters customize(SSLParameters params) {
            // Jetty sets protocols, suites and client auth; the policy adds groups and signature schemes.
            return TlsPolicy.apply(super.customize(params));
        }
    }

    /** Settings of an {@link ApiServer}; each says what happens when it is not set. */
    public static final class Builder {
        private final ServerIdentity identity;
        private final ApiTokens tokens;
        private String host = "0.0.0.0";
        private int port = 8443;
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private PrometheusMeterRegistry metrics;
        private EventSink events = e -> {
        };
        private final List<ReadinessCheck> readinessChecks = new ArrayList<>();
        private final List<RouteModule> routeModules = new ArrayList<>();

        private Builder(ServerIdentity identity, ApiTokens tokens) {
            if (identity == null) throw new IllegalArgumentException("identity: null (expected: the server's key and certificate)");
            if (tokens == null) throw new IllegalArgumentException("tokens: null (expected: the API token store)");
            this.identity = identity;
            this.tokens = tokens;
        }

        /**
         * Where to listen. Unset: {@code 0.0.0.0:8443}, all IPv4 interfaces. Port 0 lets the OS choose a
         * free port; read it with {@link ApiServer#port()} after start.
         */
        public Builder bind(String host, int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
            if (host == null || host.isBlank()) throw new IllegalArgumentException("host: blank (expected: an address or host name)");
            this.host = host;
            this.port = port;
            return this;
        }

        /** How long {@link ApiServer#close()} waits for requests in flight. Unset: 30 seconds. */
        public Builder shutdownGrace(Duration grace) {
            if (grace == null || grace.isNegative()) throw new IllegalArgumentException("shutdownGrace: " + grace + " (expected: >= 0)");
            this.shutdownGrace = grace;
            return this;
        }

        /**
         * The registry served at {@code /metrics}. Unset: a new one with the JVM and process meters bound
         * (see {@link ApiServer#bindJvmMetrics}); when set, binding those is the caller's choice.
         */
        public Builder metrics(PrometheusMeterRegistry registry) {
            this.metrics = registry;
            return this;
        }

        /** Where authentication failures are reported. Unset: nowhere. */
        public Builder events(EventSink sink) {
            this.events = sink;
            return this;
        }

        /** Adds conditions of {@code /readyz}. Unset: ready whenever the server runs. */
        public Builder readiness(ReadinessCheck... checks) {
            readinessChecks.addAll(List.of(checks));
            return this;
        }

        /** Adds route modules, registered in the order given. Unset: only the built-in routes. */
        public Builder routes(RouteModule... modules) {
            routeModules.addAll(List.of(modules));
            return this;
        }

        /** Adds route modules, registered in the order given. */
        public Builder routes(List<? extends RouteModule> modules) {
            routeModules.addAll(modules);
            return this;
        }

        /** Builds the server, not yet started. Fails on a bad identity (key and chain that cannot be used). */
        public ApiServer build() {
            return new ApiServer(this);
        }
    }
}
