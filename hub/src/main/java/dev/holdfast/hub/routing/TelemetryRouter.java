package dev.holdfast.hub.routing;

import dev.holdfast.hub.TelemetryMessage;
import dev.holdfast.hub.TelemetrySink;
import dev.holdfast.hub.internal.JdbcTelemetryStore;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Telemetry routing: each message is tested against every route's condition and goes to each matching
 * route's endpoint. The returned stage (and so the QoS 1 PUBACK) completes only when every matching
 * durable endpoint has it: the store's transaction committed, each JSON Lines file forced to disk. A
 * webhook route's messages are stored too and delivered from the store asynchronously, so for them
 * the PUBACK means "stored", and delivery is at least once. A message no route matches is dropped
 * (acknowledged, counted as unrouted). Every endpoint queue is bounded; a full one fails the message,
 * which ends the session without PUBACK so the device sends it again.
 */
public final class TelemetryRouter implements TelemetrySink, AutoCloseable {
    private record Compiled(Route route, RouteMetrics metrics, JsonLinesFile file) {
    }

    private final JdbcTelemetryStore store;
    private final List<Compiled> routes = new ArrayList<>();
    private final List<WebhookDelivery> webhooks = new ArrayList<>();
    private final Map<String, RouteMetrics> metrics = new HashMap<>();
    private final io.micrometer.core.instrument.Counter unrouted;

    public TelemetryRouter(List<Route> routes, JdbcTelemetryStore store, MeterRegistry meters) {
        this.store = store;
        this.unrouted = io.micrometer.core.instrument.Counter.builder("holdfast.hub.route.unrouted").register(meters);
        try {
            for (Route r : routes) {
                if (metrics.containsKey(r.name())) throw new IllegalArgumentException("route '" + r.name() + "' is defined twice");
                RouteMetrics m = new RouteMetrics(meters, r.name());
                metrics.put(r.name(), m);
                JsonLinesFile file = r.endpoint() instanceof RouteEndpoint.JsonLines j ? new JsonLinesFile(r.name(), j, 100_000) : null;
                this.routes.add(new Compiled(r, m, file));
                if (r.endpoint() instanceof RouteEndpoint.Webhook) webhooks.add(new WebhookDelivery(r, store, m));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public CompletionStage<Void> accept(TelemetryMessage message) {
        Map<String, Object> vars = RouteCondition.variables(message);
        List<CompletableFuture<Void>> stages = new ArrayList<>(2);
        List<RouteMetrics> storeRoutes = null;
        boolean toStore = false;
        byte[] json = null;
        for (Compiled c : routes) {
            if (!c.route.condition().test(vars)) continue;
            c.metrics.matched.increment();
            switch (c.route.endpoint()) {
                case RouteEndpoint.Store s -> {
                    toStore = true;
                    if (storeRoutes == null) storeRoutes = new ArrayList<>(1);
                    storeRoutes.add(c.metrics);
                }
                case RouteEndpoint.Webhook w -> toStore = true;
                case RouteEndpoint.JsonLines j -> {
                    if (json == null) json = TelemetryJson.encode(message);
                    stages.add(counted(c.file.append(json), List.of(c.metrics)));
                }
            }
        }
        if (toStore) stages.add(counted(store.accept(message), storeRoutes == null ? List.of() : storeRoutes));
        if (stages.isEmpty()) {
            unrouted.increment();
            return CompletableFuture.completedFuture(null);
        }
        return stages.size() == 1 ? stages.getFirst() : CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new));
    }

    private static CompletableFuture<Void> counted(CompletionStage<Void> stage, List<RouteMetrics> ms) {
        return stage.toCompletableFuture().whenComplete((v, e) -> {
            for (RouteMetrics m : ms) (e == null ? m.delivered : m.failed).increment();
        });
    }

    /** The named route's counters, or null when there is none. */
    public RouteMetrics metrics(String route) {
        return metrics.get(route);
    }

    public List<Route> routes() {
        return routes.stream().map(Compiled::route).toList();
    }

    /** Stops webhook delivery and the file writers (after writing what they were given). */
    @Override
    public void close() {
        for (WebhookDelivery w : webhooks) w.close();
        for (Compiled c : routes) if (c.file != null) c.file.close();
    }
}
