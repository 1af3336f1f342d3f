package dev.holdfast.server.http;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;

import javax.net.ssl.SSLSession;
import java.util.concurrent.TimeUnit;

/**
 * HTTP and TLS metrics of the {@link ApiServer}:
 * <ul>
 *   <li>{@code http_server_requests_seconds{method, uri, status, outcome}}: every request, with the
 *       route template as {@code uri} ({@code /api/v1/tokens/{id}}), {@code UNMATCHED} when no route
 *       matched, so that probing random paths cannot create unbounded series;</li>
 *   <li>{@code holdfast_tls_handshakes_total{outcome, protocol, cipher}}: completed and failed
 *       handshakes; failures include clients refused by the TLS policy (old versions, CBC suites).</li>
 * </ul>
 */
final class HttpMetrics implements SslHandshakeListener {
    private final MeterRegistry registry;
    private final Counter handshakeFailures;

    HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.handshakeFailures = Counter.builder("holdfast.tls.handshakes").tag("outcome", "failure").tag("protocol", "none")
                .tag("cipher", "none").description("TLS handshakes on the HTTPS listener").register(registry);
    }

    /** A Javalin request logger: called once per request after the response is complete. */
    void record(Context ctx, Float millis) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        String uri = endpoint != null ? endpoint.path : "UNMATCHED";
        int status = ctx.statusCode();
        Timer.builder("http.server.requests")
                .description("HTTP requests served, by route template and status")
                .tag("method", ctx.method().name())
                .tag("uri", uri)
                .tag("status", Integer.toString(status))
                .tag("outcome", outcome(status))
                .register(registry)
                .record((long) (millis * 1_000_000L), TimeUnit.NANOSECONDS);
    }

    @Override
    public void handshakeSucceeded(Event event) {
        SSLSession session = event.getSSLEngine().getSession();
        Counter.builder("holdfast.tls.handshakes").tag("outcome", "success").tag("protocol", session.getProtocol())
                .tag("cipher", session.getCipherSuite()).description("TLS handshakes on the HTTPS listener").register(registry)
                .increment();
    }

    @Override
    public void handshakeFailed(Event event, Throwable failure) {
        handshakeFailures.increment();
    }

    private static String outcome(int status) {
        if (status < 200) return "INFORMATIONAL";
        if (status < 300) return "SUCCESS";
        if (status < 400) return "REDIRECTION";
        if (status < 500) return "CLIENT_ERROR";
        return "SERVER_ERROR";
    }
}
