package dev.holdfast.device.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.device.DeviceIdentity;
import dev.holdfast.device.DeviceRuntime;
import dev.holdfast.device.MalformedMessageException;
import dev.holdfast.device.internal.MqttConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A device's connection to its Holdfast hub (IoT Hub MQTT 3.1.1 over mutual TLS): telemetry,
 * cloud-to-device messages, the twin, direct methods. It stays connected: when the connection drops
 * it reconnects with jittered exponential backoff, subscribes again and resends every telemetry
 * message the hub has not acknowledged (see {@link OfflineBuffer}).
 *
 * <p>Callbacks run on the runtime's virtual threads, never on the event loop; a cloud-to-device
 * message is acknowledged (PUBACK) only after its callback returns normally, so a message whose
 * callback threw is delivered again after the next reconnection.
 *
 * <p>Thread-safe.
 */
public final class HubClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HubClient.class);
    private static final byte[] EMPTY = new byte[0];

    /** Where the client stands; reported to {@link #onConnectionState}. */
    public enum ConnectionState { CONNECTING, CONNECTED, DISCONNECTED, CLOSED }

    /** Counters since creation. */
    public record Stats(long connects, long failedConnects, long disconnects, long telemetrySent, long telemetryAcknowledged,
                        long bufferOverflows, int buffered, long cloudMessages, long methodCalls, long desiredUpdates,
                        long malformedInbound, String lastError) {
    }

    private final DeviceRuntime runtime;
    private volatile HubClientConfig config;
    private final OfflineBuffer buffer;
    private final String telemetryTopic;
    private final Map<String, CompletableFuture<TwinReply>> twinRequests = new ConcurrentHashMap<>();
    private final Map<String, MethodHandler> methods = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> firstConnection = new CompletableFuture<>();
    // Request ids start at a random point: on a shared test broker every device sees every twin reply.
    private final AtomicLong requestIds = new AtomicLong(ThreadLocalRandom.current().nextLong(1L << 40));
    private volatile MqttConnection connection;
    /** Built once per identity: a fleet reconnecting after an outage should not rebuild key and trust managers each time. */
    private volatile javax.net.ssl.SSLContext tls;
    private volatile long generation;
    private volatile boolean started;
    private volatile boolean closed;
    private int attempt; // guarded by this
    private volatile Consumer<Message> cloudHandler;
    private volatile Consumer<Twin.DesiredUpdate> desiredHandler;
    private volatile Consumer<ConnectionState> stateHandler = s -> { };
    private volatile MethodHandler defaultMethod;

    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong failedConnects = new AtomicLong();
    private final AtomicLong disconnects = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong cloudMessages = new AtomicLong();
    private final AtomicLong methodCalls = new AtomicLong();
    private final AtomicLong desiredUpdates = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private volatile String lastError = "";

    private record TwinReply(int status, java.util.OptionalLong version, byte[] body) {
    }

    private HubClient(DeviceRuntime runtime, HubClientConfig config) {
        this.runtime = runtime;
        this.config = config;
        this.buffer = new OfflineBuffer(config.bufferCapacity(), config.overflowPolicy());
        this.telemetryTopic = "devices/" + config.deviceId() + "/messages/events/";
    }

    public static HubClient create(DeviceRuntime runtime, HubClientConfig config) {
        return new HubClient(runtime, config);
    }

    public String deviceId() {
        return config.deviceId();
    }

    /** Called for each cloud-to-device message; set before {@link #connect()}. Unset: messages are acknowledged and dropped. */
    public HubClient onCloudToDevice(Consumer<Message> handler) {
        this.cloudHandler = handler;
        return this;
    }

    /** Called for each desired-properties patch the hub pushes. */
    public HubClient onDesiredUpdate(Consumer<Twin.DesiredUpdate> handler) {
        this.desiredHandler = handler;
        return this;
    }

    /** Handles direct method {@code name}. Methods without a handler are answered 404. */
    public HubClient onMethod(String name, MethodHandler handler) {
        methods.put(name, handler);
        return this;
    }

    /** Handles every direct method that has no handler of its own. */
    public HubClient onAnyMethod(MethodHandler handler) {
        this.defaultMethod = handler;
        return this;
    }

    public HubClient onConnectionState(Consumer<ConnectionState> handler) {
        this.stateHandler = handler;
        return this;
    }

    /**
     * Starts connecting and keeps the connection up until {@link #close()}. The future completes at
     * the first successful connection (subscriptions granted); it does not fail on its own, because
     * the client keeps retrying: bound the wait with {@code get(timeout)} and read
     * {@link Stats#lastError()}.
     */
    public CompletableFuture<Void> connect() {
        if (closed) throw new IllegalStateException("client for " + config.deviceId() + " is closed");
        synchronized (this) {
            if (started) return firstConnection;
            started = true;
        }
        attemptConnection();
        return firstConnection;
    }

    public boolean isConnected() {
        MqttConnection c = connection;
        return c != null && c.isActive();
    }

    /**
     * Sends telemetry at QoS 1. The message enters the offline buffer at once (connected or not);
     * the future completes when the hub acknowledges it, or fails when the buffer's overflow policy
     * drops it or the client is closed first.
     */
    public CompletableFuture<Void> sendTelemetry(Message message) {
        if (closed) return CompletableFuture.failedFuture(new IllegalStateException("client for " + config.deviceId() + " is closed"));
        String topic = message.properties().isEmpty() ? telemetryTopic : telemetryTopic + PropertyBag.encode(message.properties());
        OfflineBuffer.Entry e = buffer.add(topic, message.body());
        MqttConnection c = connection;
        if (c != null) c.execute(() -> flush(c, generation));
        return e.acknowledged();
    }

    /** Reads the whole twin. Fails when not connected, on a non-200 answer, or after the request timeout. */
    public CompletableFuture<Twin> twin() {
        return twinRequest("$iothub/twin/GET/?$rid=", EMPTY, "twin GET").thenApply(r -> {
            if (r.status() != 200) throw new HubRequestException("twin GET", r.status(), new String(r.body(), StandardCharsets.UTF_8));
            try {
                return Twin.parse(r.body());
            } catch (MalformedMessageException e) {
                malformed.incrementAndGet();
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    /**
     * Patches the reported properties (JSON merge patch: {@code null} deletes). The future holds the
     * new reported version the hub assigned.
     */
    public CompletableFuture<Long> updateReported(ObjectNode patch) {
        byte[] body;
        try {
            body = Twin.JSON.writeValueAsBytes(patch);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("patch: cannot serialize: " + e.getMessage(), e);
        }
        return twinRequest("$iothub/twin/PATCH/properties/reported/?$rid=", body, "reported properties PATCH").thenApply(r -> {
            if (r.status() / 100 != 2) throw new HubRequestException("reported properties PATCH", r.status(), new String(r.body(), StandardCharsets.UTF_8));
            return r.version().orElse(-1);
        });
    }

    /**
     * Publishes to any topic at QoS 0, outside the device's protocol: only for testing the hub's
     * topic authorization (the simulator's scripted topic abuse). A real hub refuses topics outside
     * the device's namespace and may close the connection.
     */
    public CompletableFuture<Void> publishRaw(String topic, byte[] payload) {
        MqttConnection c = connection;
        if (c == null) return CompletableFuture.failedFuture(new IOException("not connected"));
        return c.publish(topic, payload, 0);
    }

    /**
     * Uses {@code identity} from the next connection on, and reconnects now: after a certificate
     * renewal, the hub sees the new certificate within one reconnection.
     */
    public void replaceIdentity(DeviceIdentity identity) {
        HubClientConfig c = config;
        config = new HubClientConfig(c.hubHost(), c.port(), c.connectHost(), c.deviceId(), identity, c.trustAnchors(), c.keepAlive(),
                c.connectTimeout(), c.requestTimeout(), c.backoff(), c.bufferCapacity(), c.overflowPolicy(), c.apiVersion());
        tls = null;
        MqttConnection conn = connection;
        if (conn != null) conn.close();
    }

    /** Drops the connection without DISCONNECT, as a network failure would; the client reconnects. */
    public void dropConnection() {
        MqttConnection conn = connection;
        if (conn != null) conn.abort();
    }

    public Stats stats() {
        return new Stats(connects.get(), failedConnects.get(), disconnects.get(), sent.get(), acknowledged.get(), buffer.overflowed(),
                buffer.size(), cloudMessages.get(), methodCalls.get(), desiredUpdates.get(), malformed.get(), lastError);
    }

    /** Disconnects cleanly and stops reconnecting; unacknowledged telemetry fails. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        MqttConnection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                c.abort();
            }
        }
        IllegalStateException cause = new IllegalStateException("client for " + config.deviceId() + " closed");
        buffer.failAll(cause);
        twinRequests.values().forEach(f -> f.completeExceptionally(cause));
        twinRequests.clear();
        firstConnection.completeExceptionally(cause);
        stateHandler.accept(ConnectionState.CLOSED);
    }

    // ---- connection management -------------------------------------------------------------------

    private void attemptConnection() {
        if (closed) return;
        stateHandler.accept(ConnectionState.CONNECTING);
        HubClientConfig c = config;
        // The hub's certificate is checked against hubHost even when the TCP connection goes to connectHost.
        // A persistent session (cleanSession=false) keeps unacknowledged cloud-to-device messages across reconnections.
        MqttConnection.Options options;
        try {
            javax.net.ssl.SSLContext context = tls;
            if (context == null) tls = context = c.identity().sslContext(c.trustAnchors());
            options = new MqttConnection.Options(c.connectHost(), c.port(), c.hubHost(), context,
                    c.deviceId(), c.username(), false, c.keepAlive(), c.connectTimeout(), 512 * 1024);
        } catch (RuntimeException e) { // a key the provider cannot use, a token that went away: retry later, never stop
            failedConnects.incrementAndGet();
            lastError = "cannot prepare TLS: " + e.getMessage();
            scheduleReconnect();
            return;
        }
        MqttConnection.connect(runtime.eventLoops(), options, new Inbound())
                .thenCompose(conn -> conn.subscribe(List.of("devices/" + c.deviceId() + "/messages/devicebound/#", "$iothub/twin/res/#",
                        "$iothub/twin/PATCH/properties/desired/#", "$iothub/methods/POST/#")).thenApply(granted -> {
                    if (granted.contains(0x80)) throw new java.util.concurrent.CompletionException(new IOException("hub refused a subscription: granted " + granted));
                    return conn;
                }).whenComplete((ok, err) -> {
                    if (err != null) conn.abort();
                }))
                .whenComplete((conn, err) -> {
                    if (err != null) {
                        failedConnects.incrementAndGet();
                        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
                        lastError = String.valueOf(cause.getMessage());
                        LOG.debug("device {}: connection attempt failed: {}", c.deviceId(), lastError);
                        scheduleReconnect();
                        return;
                    }
                    if (closed) {
                        conn.close();
                        return;
                    }
                    synchronized (this) {
                        attempt = 0;
                    }
                    long gen;
                    synchronized (this) {
                        if (!conn.isActive()) { // lost between SUBACK and here: its onClosed saw another connection
                            scheduleReconnect();
                            return;
                        }
                        gen = ++generation;
                        connection = conn;
                    }
                    connects.incrementAndGet();
                    stateHandler.accept(ConnectionState.CONNECTED);
                    conn.execute(() -> flush(conn, gen));
                    firstConnection.complete(null);
                });
    }

    private void scheduleReconnect() {
        if (closed) return;
        int n;
        synchronized (this) {
            n = attempt++;
        }
        long delay = config.backoff().delay(n, ThreadLocalRandom.current()).toMillis();
        runtime.eventLoops().schedule(this::attemptConnection, delay, TimeUnit.MILLISECONDS);
    }

    /** On the event loop: sends, in order, every buffered message not yet sent on this connection. */
    private void flush(MqttConnection conn, long gen) {
        if (conn != connection || !conn.isActive()) return;
        for (OfflineBuffer.Entry e : buffer.unsentOn(gen)) {
            sent.incrementAndGet();
            conn.publish(e.topic, e.payload, 1).whenComplete((v, err) -> {
                if (err == null) {
                    acknowledged.incrementAndGet(); // before the future completes, so a caller sees the count
                    buffer.acknowledged(e);
                }
                // On failure the entry stays in the buffer and goes out again on the next connection.
            });
        }
    }

    private CompletableFuture<TwinReply> twinRequest(String topicPrefix, byte[] body, String what) {
        MqttConnection c = connection;
        if (c == null) return CompletableFuture.failedFuture(new IOException(what + ": not connected to the hub"));
        String rid = Long.toString(requestIds.incrementAndGet());
        CompletableFuture<TwinReply> reply = new CompletableFuture<>();
        twinRequests.put(rid, reply);
        c.publish(topicPrefix + rid, body, 0).whenComplete((v, err) -> {
            if (err != null) reply.completeExceptionally(err);
        });
        return reply.orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, err) -> twinRequests.remove(rid));
    }

    private final class Inbound implements MqttConnection.Listener {
        @Override
        public void onPublish(MqttConnection conn, String topic, byte[] payload, int qos, int packetId) {
            HubTopic parsed;
            try {
                parsed = HubTopic.parse(config.deviceId(), topic);
            } catch (MalformedMessageException e) {
                malformed.incrementAndGet();
                LOG.debug("device {}: dropped a malformed message: {}", config.deviceId(), e.getMessage());
                ack(conn, qos, packetId);
                return;
            }
            switch (parsed) {
                case HubTopic.CloudToDevice c2d -> {
                    cloudMessages.incrementAndGet();
                    Consumer<Message> h = cloudHandler;
                    if (h == null) {
                        ack(conn, qos, packetId);
                        return;
                    }
                    runtime.callbacks().execute(() -> {
                        try {
                            h.accept(new Message(payload, c2d.properties()));
                            ack(conn, qos, packetId);
                        } catch (RuntimeException e) {
                            LOG.warn("device {}: cloud-to-device callback failed, message left unacknowledged: {}", config.deviceId(), e.toString());
                        }
                    });
                }
                case HubTopic.TwinResponse r -> {
                    ack(conn, qos, packetId);
                    CompletableFuture<TwinReply> f = twinRequests.remove(r.requestId());
                    if (f != null) f.complete(new TwinReply(r.status(), r.version(), payload));
                }
                case HubTopic.DesiredPatch d -> {
                    ack(conn, qos, packetId);
                    desiredUpdates.incrementAndGet();
                    Twin.DesiredUpdate update;
                    try {
                        update = Twin.DesiredUpdate.parse(payload, d.version());
                    } catch (MalformedMessageException e) {
                        malformed.incrementAndGet();
                        return;
                    }
                    Consumer<Twin.DesiredUpdate> h = desiredHandler;
                    if (h != null) runtime.callbacks().execute(() -> h.accept(update));
                }
                case HubTopic.MethodCall m -> {
                    ack(conn, qos, packetId);
                    methodCalls.incrementAndGet();
                    runtime.callbacks().execute(() -> answer(conn, m, payload));
                }
                case HubTopic.Foreign f -> {
                    malformed.incrementAndGet();
                    ack(conn, qos, packetId);
                }
            }
        }

        private void answer(MqttConnection conn, HubTopic.MethodCall m, byte[] payload) {
            MethodHandler h = methods.getOrDefault(m.name(), defaultMethod);
            MethodResponse r;
            if (h == null) {
                r = new MethodResponse(404, "{\"message\":\"no handler for method " + m.name().replace("\"", "") + "\"}");
            } else {
                try {
                    r = h.handle(m.name(), payload);
                } catch (Exception e) {
                    r = new MethodResponse(500, "{\"message\":\"method failed\"}");
                    LOG.warn("device {}: method {} failed: {}", config.deviceId(), m.name(), e.toString());
                }
            }
            if (conn != null) conn.publish("$iothub/methods/res/" + r.status() + "/?$rid=" + m.requestId(), r.json().getBytes(StandardCharsets.UTF_8), 0);
        }

        private void ack(MqttConnection conn, int qos, int packetId) {
            if (qos == 1 && conn != null) conn.puback(packetId);
        }

        @Override
        public void onClosed(MqttConnection source, Throwable cause) {
            // Only the current connection's loss triggers a reconnect; failed attempts schedule their own.
            synchronized (HubClient.this) {
                if (source != connection) return;
                connection = null;
            }
            disconnects.incrementAndGet();
            lastError = String.valueOf(cause.getMessage());
            stateHandler.accept(ConnectionState.DISCONNECTED);
            LOG.debug("device {}: connection lost: {}", config.deviceId(), lastError);
            scheduleReconnect();
        }
    }
}
