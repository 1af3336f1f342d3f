package dev.holdfast.hub.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** {@code holdfast_hub_route_messages_total{route, outcome=matched|delivered|failed}} for one route. */
public final class RouteMetrics {
    final Counter matched;
    final Counter delivered;
    final Counter failed;

    RouteMetrics(MeterRegistry registry, String route) {
        this.matched = Counter.builder("holdfast.hub.route.messages").tag("route", route).tag("outcome", "matched").register(registry);
        this.delivered = Counter.builder("holdfast.hub.route.messages").tag("route", route).tag("outcome", "delivered").register(registry);
        this.failed = Counter.builder("holdfast.hub.route.messages").tag("route", route).tag("outcome", "failed").register(registry);
    }

    public long matched() {
        return (long) matched.count();
    }

    public long delivered() {
        return (long) delivered.count();
    }

    /** Failed attempts (a webhook's retries each count), not lost messages. */
    public long failed() {
        return (long) failed.count();
    }
}
