package dev.holdfast.hub.routing;

import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/** Where a route sends the messages it matches. */
public sealed interface RouteEndpoint {
    /** The built-in telemetry store (hub_telemetry, kept for hub.telemetry.retention). */
    record Store() implements RouteEndpoint {
    }

    /**
     * A JSON Lines file, one message a line, written and flushed to disk before the PUBACK.
     * When it would grow past {@code maxBytes} it is renamed {@code path.1} (older ones shift up to {@code path.keep}).
     */
    record JsonLines(Path path, long maxBytes, int keep) implements RouteEndpoint {
        public JsonLines {
            if (path == null) throw new IllegalArgumentException("path: missing");
            if (maxBytes < 1024) throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 1024)");
            if (keep < 1 || keep > 1000) throw new IllegalArgumentException("keep: " + keep + " (expected: 1..1000)");
        }
    }

    /**
     * An HTTPS webhook: each matching message is POSTed as one JSON object. Delivery is asynchronous
     * from the built-in store's rows (the message is stored before the PUBACK) with a durable cursor,
     * retried with exponential backoff until the receiver answers 2xx.
     *
     * @param trustedRoots servers must chain to these; empty: the JDK's default trust store
     */
    record Webhook(URI url, List<X509Certificate> trustedRoots, Duration timeout, Duration initialBackoff, Duration maxBackoff)
            implements RouteEndpoint {
        public Webhook {
            if (url == null || !"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("url: '" + url + "' is not an https URL (expected: https://host[:port]/path)");
            }
            trustedRoots = List.copyOf(trustedRoots);
            positive("timeout", timeout);
            positive("backoff.initial", initialBackoff);
            positive("backoff.max", maxBackoff);
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("backoff.max: " + maxBackoff + " (expected: >= backoff.initial " + initialBackoff + ")");
            }
        }

        private static void positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }
}
