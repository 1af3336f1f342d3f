package dev.holdfast.hub.routing;

import dev.holdfast.hub.internal.JdbcTelemetryStore;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A webhook route's delivery: reads the built-in store's rows after its durable cursor, POSTs each row
 * its condition matches, in order, and retries a failed POST with exponential backoff (initial doubling
 * to max) until the receiver answers 2xx; then the cursor moves. At least once: a crash between the
 * POST and the cursor update sends that message again. Rows pruned by retention before delivery are lost.
 */
final class WebhookDelivery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDelivery.class);
    private static final int BATCH = 200;

    private final Route route;
    private final RouteEndpoint.Webhook spec;
    private final JdbcTelemetryStore store;
    private final Database db;
    private final RouteMetrics metrics;
    private final HttpClient client;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long cursor;

    WebhookDelivery(Route route, JdbcTelemetryStore store, RouteMetrics metrics) {
        this.route = route;
        this.spec = (RouteEndpoint.Webhook) route.endpoint();
        this.store = store;
        this.db = store.database();
        this.metrics = metrics;
        SSLContext ssl;
        try {
            ssl = spec.trustedRoots().isEmpty() ? SSLContext.getDefault() : TlsPolicy.clientContext(spec.trustedRoots());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("route '" + route.name() + "': no default TLS context: " + e.getMessage(), e);
        }
        this.client = HttpClient.newBuilder().sslContext(ssl).sslParameters(TlsPolicy.apply(new SSLParameters()))
                .connectTimeout(spec.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
        this.cursor = loadCursor();
        this.thread = Thread.ofPlatform().name("hub-route-" + route.name()).daemon().start(this::run);
    }

    /** A new route starts after what is already stored: it does not replay history. */
    private long loadCursor() {
        Long saved = db.withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT last_id FROM hub_route_cursor WHERE route = ?")) {
                ps.setString(1, route.name());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : null;
                }
            }
        });
        if (saved != null) return saved;
        long start = store.lastId();
        saveCursor(start);
        return start;
    }

    private void saveCursor(long id) {
        db.inTransaction(c -> {
            try (PreparedStatement up = c.prepareStatement("UPDATE hub_route_cursor SET last_id = ? WHERE route = ?")) {
                up.setLong(1, id);
                up.setString(2, route.name());
                if (up.executeUpdate() == 0) {
                    try (PreparedStatement ins = c.prepareStatement("INSERT INTO hub_route_cursor (route, last_id) VALUES (?, ?)")) {
                        ins.setString(1, route.name());
                        ins.setLong(2, id);
                        ins.executeUpdate();
                    }
                }
            }
            return null;
        });
    }

    /** The last row id handled (delivered or not matched). */
    long cursor() {
        return cursor;
    }

    private void run() {
        while (running) {
            try {
                List<JdbcTelemetryStore.Stored> rows = store.after(cursor, BATCH);
                if (rows.isEmpty()) {
                    Thread.sleep(100);
                    continue;
                }
                for (JdbcTelemetryStore.Stored row : rows) {
                    if (!running) return;
                    Map<String, Object> vars = RouteCondition.variables(row.message());
                    if (route.condition().test(vars)) deliver(TelemetryJson.encode(row.message()));
                    cursor = row.id();
                }
                saveCursor(cursor);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("route '{}': reading the telemetry store failed; retrying", route.name(), e);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Returns when the receiver took it (2xx); retries until then or until closed. */
    private void deliver(byte[] json) throws InterruptedException {
        long backoff = spec.initialBackoff().toMillis();
        while (running) {
            String problem;
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(spec.url()).timeout(spec.timeout())
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(json)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() / 100 == 2) {
                    metrics.delivered.increment();
                    return;
                }
                problem = "HTTP " + r.statusCode();
            } catch (IOException e) {
                problem = e.toString();
            }
            metrics.failed.increment();
            log.warn("route '{}': POST {} failed ({}); retrying in {} ms", route.name(), spec.url(), problem, backoff);
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, spec.maxBackoff().toMillis());
        }
        throw new InterruptedException("closed");
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }
}
