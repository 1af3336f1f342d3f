package dev.holdfast.hub.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * The hub's Prometheus meters: {@code holdfast_hub_connections_total{outcome}},
 * {@code holdfast_hub_refusals_total{reason}}, {@code holdfast_hub_messages_total{direction}},
 * {@code holdfast_hub_malformed_packets_total}, {@code holdfast_hub_limits_total{limit}}, and the gauge
 * {@code holdfast_hub_sessions}.
 */
public final class HubMetrics {
    private final MeterRegistry registry;
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    public final Counter accepted;
    public final Counter telemetryIn;
    public final Counter c2dOut;
    public final Counter malformed;

    public HubMetrics(MeterRegistry registry, Supplier<Number> sessions) {
        this.registry = registry;
        this.accepted = Counter.builder("holdfast.hub.connections").tag("outcome", "accepted").register(registry);
        this.telemetryIn = Counter.builder("holdfast.hub.messages").tag("direction", "device-to-cloud").register(registry);
        this.c2dOut = Counter.builder("holdfast.hub.messages").tag("direction", "cloud-to-device").register(registry);
        this.malformed = Counter.builder("holdfast.hub.malformed.packets").register(registry);
        registry.gauge("holdfast.hub.sessions", sessions, s -> s.get().doubleValue());
    }

    public void refused(String reason) {
        counters.computeIfAbsent("r:" + reason, k -> Counter.builder("holdfast.hub.refusals").tag("reason", reason).register(registry)).increment();
    }

    public void limit(String limit) {
        counters.computeIfAbsent("l:" + limit, k -> Counter.builder("holdfast.hub.limits").tag("limit", limit).register(registry)).increment();
    }

    public double refusals(String reason) {
        Counter c = counters.get("r:" + reason);
        return c == null ? 0 : c.count();
    }

    public double limits(String limit) {
        Counter c = counters.get("l:" + limit);
        return c == null ? 0 : c.count();
    }
}
