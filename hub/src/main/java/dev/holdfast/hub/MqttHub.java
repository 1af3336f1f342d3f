package dev.holdfast.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.events.EventSink;
import dev.holdfast.hub.internal.DeviceAuthenticator;
import dev.holdfast.hub.internal.HubContext;
import dev.holdfast.hub.internal.HubEvents;
import dev.holdfast.hub.internal.HubMetrics;
import dev.holdfast.hub.internal.HubTls;
import dev.holdfast.hub.internal.JdbcCloudToDeviceQueue;
import dev.holdfast.hub.internal.JdbcTelemetryStore;
import dev.holdfast.hub.internal.MqttFlagsGuard;
import dev.holdfast.hub.internal.MqttSession;
import dev.holdfast.hub.spi.AccessPolicy;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.CertificateAuthority;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceRegistry;
import dev.holdfast.registry.DeviceStatus;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.store.Database;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The device hub: an MQTT 3.1.1 and 5 endpoint over mutual TLS speaking the Azure IoT Hub topic model
 * (PROTOCOLS.md). Devices authenticate with their certificate at CONNECT ({@code DeviceAuthenticator}),
 * the access policy scopes the session, and the hub carries telemetry to the {@link TelemetrySink},
 * cloud-to-device messages from a durable queue, twins (stored in the registry) and direct methods.
 * Revoking a device's certificate or disabling it in the registry ends its session at once.
 *
 * <p>Pipeline per connection, in order: connection gate (maximum connections, per-source connection
 * rate), TLS ({@code SslHandler}, handshake within the connect timeout), {@code MqttFlagsGuard}
 * (reserved header flags), keep-alive (added after CONNECT), {@code MqttDecoder} (maximum packet size, strict UTF-8), {@code MqttEncoder},
 * {@code MqttSession}.
 */
public final class MqttHub implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MqttHub.class);

    private final HubConfig config;
    private final SslContext tls;
    private final HubContext context;
    private final JdbcCloudToDeviceQueue cloudToDevice;
    private final JdbcTelemetryStore store;
    private final dev.holdfast.hub.routing.TelemetryRouter router;
    private final DeviceRegistry registry;
    private final ExecutorService blocking;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<InetAddress, long[]> connectWindows = new ConcurrentHashMap<>();
    private final AtomicLong lastWindowSweep = new AtomicLong();
    private volatile Channel listener;
    private volatile boolean closed;

    private MqttHub(Builder b) {
        this.config = b.config;
        this.registry = b.registry;
        this.blocking = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("hub-work-", 0).factory());
        b.db.migrate("hub");
        this.cloudToDevice = new JdbcCloudToDeviceQueue(b.db, b.clock, config.cloudToDeviceMaxPending());
        this.store = new JdbcTelemetryStore(b.db, b.clock, config.telemetryRetention(), 100_000);
        this.router = b.telemetry != null ? null
                : new dev.holdfast.hub.routing.TelemetryRouter(b.routes.isEmpty() ? java.util.List.of(dev.holdfast.hub.routing.Route.defaultRoute()) : b.routes,
                store, b.meters);
        TelemetrySink sink = b.telemetry != null ? b.telemetry : router;
        HubEvents events = new HubEvents(b.events, blocking);
        this.context = new HubContext(config, new DeviceAuthenticator(b.ca, b.registry), b.policy, b.provisioning, sink, cloudToDevice,
                b.registry, events, null, blocking, b.clock);
        HubMetrics metrics = new HubMetrics(b.meters, () -> context.sessions.size());
        this.context.setMetrics(metrics);
        this.tls = HubTls.serverContext(b.key, b.chain, b.preferBoringSsl);
        this.boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(b.ioThreads, NioIoHandler.newFactory());
        b.ca.addRevocationListener(cert -> {
            if (closed) return;
            MqttSession s = context.bySerial.get(cert.serial());
            if (s != null) s.end("certificate-revoked", "certificate " + cert.serialHex() + " was revoked");
        });
        b.registry.addListener(this::deviceChanged);
    }

    public static Builder builder(HubConfig config, PrivateKey key, X509Certificate[] chain, CertificateAuthority ca, DeviceRegistry registry,
                                  Database db, EventSink events) {
        return new Builder(config, key, chain, ca, registry, db, events);
    }

    /** Binds the listener; returns when it accepts connections. */
    public MqttHub start() {
        SslContext ssl = tls;
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!admit(ch)) return;
                        SslHandler sslHandler = ssl.newHandler(ch.alloc());
                        sslHandler.setHandshakeTimeoutMillis(config.connectTimeout().toMillis());
                        ch.pipeline().addLast("tls", sslHandler)
                                .addLast("flags", new MqttFlagsGuard())
                                .addLast("decoder", new MqttDecoder(config.maxPacketBytes(), 257, true))
                                .addLast("encoder", MqttEncoder.INSTANCE)
                                .addLast("session", new MqttSession(context));
                    }
                });
        try {
            listener = b.bind(new InetSocketAddress(config.bindAddress(), config.port())).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding the hub", e);
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("cannot bind the hub to " + config.bindAddress() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        log.info("hub listening on {} (TLS provider {})", listener.localAddress(), HubTls.boringSslAvailable() ? "BoringSSL" : "JDK");
        return this;
    }

    /** Maximum connections and per-source connection rate, before any TLS work is spent. */
    private boolean admit(SocketChannel ch) {
        if (open.incrementAndGet() > config.maxConnections()) {
            open.decrementAndGet();
            context.metrics().limit("max-connections");
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        InetAddress source = ch.remoteAddress().getAddress();
        long second = System.nanoTime() / 1_000_000_000L;
        long[] window = connectWindows.computeIfAbsent(source, a -> new long[]{second, 0});
        boolean over;
        synchronized (window) {
            if (window[0] != second) {
                window[0] = second;
                window[1] = 0;
            }
            over = ++window[1] > config.maxConnectsPerSecondPerSource();
        }
        long last = lastWindowSweep.get();
        if (second - last > 10 && lastWindowSweep.compareAndSet(last, second)) {
            connectWindows.values().removeIf(w -> second - w[0] > 10);
        }
        if (over) {
            context.metrics().limit("connection-rate");
            if (window[1] == config.maxConnectsPerSecondPerSource() + 1) {
                context.events().limitExceeded(null, source.getHostAddress(), "connection-rate", "more than "
                        + config.maxConnectsPerSecondPerSource() + " connections per second from " + source.getHostAddress());
            }
            ch.close();
            return false;
        }
        return true;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public HubConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------ registry changes

    private void deviceChanged(Device before, Optional<Device> after) {
        if (closed) return;
        Optional<DeviceId> newParent = after.flatMap(Device::parent);
        boolean childChanged = before.parent().isPresent() && (after.isEmpty() || after.get().status() != before.status()
                || after.get().lifecycle() != before.lifecycle());
        if (!before.parent().equals(newParent) || childChanged) {
            // A gateway reads its children at CONNECT: make the gateways concerned reconnect with the new list.
            for (Optional<DeviceId> gw : List.of(before.parent(), newParent)) {
                gw.map(g -> context.sessions.get(g.value())).ifPresent(g -> g.end("children-changed", "the children of gateway '"
                        + gw.get() + "' changed (" + before.id() + ")"));
            }
        }
        MqttSession s = context.sessions.get(before.id().value());
        if (s == null) return;
        if (after.isEmpty()) {
            s.end("device-deleted", "device '" + before.id() + "' was deleted from the registry");
            return;
        }
        Device a = after.get();
        if (a.status() != DeviceStatus.ENABLED) {
            s.end("device-disabled", "device '" + a.id() + "' was disabled" + a.statusReason().map(r -> ": " + r).orElse(""));
        } else if (a.lifecycle() == LifecycleState.DECOMMISSIONED) {
            s.end("device-decommissioned", "device '" + a.id() + "' was decommissioned");
        } else if (!a.authentication().equals(before.authentication())) {
            s.end("authentication-changed", "device '" + a.id() + "' authentication changed");
        } else if ((a.lifecycle() == LifecycleState.QUARANTINED) != (before.lifecycle() == LifecycleState.QUARANTINED)) {
            // The scope is decided at CONNECT: make the device reconnect into its new scope.
            s.end("scope-changed", "device '" + a.id() + "' lifecycle " + before.lifecycle().wireName() + " -> " + a.lifecycle().wireName());
        } else if (a.twin().desiredVersion() > before.twin().desiredVersion()) {
            ObjectNode patch = diff(before.twin().desired().toNode(), a.twin().desired().toNode());
            patch.put("$version", a.twin().desiredVersion());
            s.pushDesired(patch.toString(), a.twin().desiredVersion());
        }
    }

    /** The JSON merge patch (RFC 7386) that turns {@code from} into {@code to}. */
    static ObjectNode diff(ObjectNode from, ObjectNode to) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = to.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode old = from.get(e.getKey());
            if (old == null || !old.equals(e.getValue())) {
                if (old instanceof ObjectNode o && e.getValue() instanceof ObjectNode n) out.set(e.getKey(), diff(o, n));
                else out.set(e.getKey(), e.getValue());
            }
        }
        for (Iterator<String> it = from.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!to.has(k)) out.putNull(k);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------ API

    /** Live sessions, by device id. */
    public List<SessionInfo> sessions() {
        List<SessionInfo> out = new ArrayList<>();
        for (MqttSession s : context.sessions.values()) out.add(s.info());
        out.sort(Comparator.comparing(SessionInfo::deviceId));
        return out;
    }

    public Optional<SessionInfo> session(String deviceId) {
        MqttSession s = context.sessions.get(deviceId);
        return s == null ? Optional.empty() : Optional.of(s.info());
    }

    /** Ends a device's session (an operator's decision); false when it has none. */
    public boolean kick(String deviceId, String actor) {
        MqttSession s = context.sessions.get(deviceId);
        if (s == null) return false;
        s.end("kicked", "ended by " + actor);
        return true;
    }

    /**
     * Queues a cloud-to-device message and sends it now if the device is connected and listening.
     *
     * @throws HubRefusedException {@code not-found} (unknown device), {@code too-large}, {@code queue-full}
     */
    public CloudToDeviceMessage sendCloudToDevice(String deviceId, Map<String, String> properties, byte[] body, Optional<Duration> ttl) {
        if (body.length > config.maxCloudToDeviceBytes()) {
            throw new HubRefusedException("too-large", 413, "cloud-to-device body of " + body.length + " bytes exceeds the limit of "
                    + config.maxCloudToDeviceBytes());
        }
        if (!DeviceId.isValid(deviceId) || registry.find(new DeviceId(deviceId)).isEmpty()) {
            throw new HubRefusedException("not-found", 404, "device '" + deviceId + "' does not exist");
        }
        Duration life = ttl.orElse(config.cloudToDeviceTtl());
        if (life.isNegative() || life.isZero() || life.compareTo(Duration.ofDays(2)) > 0) {
            throw new HubRefusedException("bad-ttl", 400, "ttl " + life + " (expected: more than 0, at most P2D)");
        }
        CloudToDeviceMessage m = cloudToDevice.enqueue(deviceId, properties, Bytes.copyOf(body), life);
        MqttSession s = context.sessions.get(deviceId);
        if (s != null) s.deliver(m);
        return m;
    }

    public Optional<CloudToDeviceMessage> cloudToDeviceMessage(String messageId) {
        return cloudToDevice.find(messageId);
    }

    public List<CloudToDeviceMessage> cloudToDeviceMessages(String deviceId, int limit) {
        return cloudToDevice.recent(deviceId, limit);
    }

    /**
     * Invokes a direct method and waits for the answer at most {@code timeout}.
     *
     * @throws HubRefusedException {@code device-offline} (404) when the device is not connected or not
     *                             listening for methods, {@code method-timeout} (504)
     */
    public CompletableFuture<MethodResult> invokeMethod(String deviceId, String method, String payloadJson, Duration timeout) {
        if (method == null || method.isEmpty() || method.length() > 128 || method.chars().anyMatch(c -> c == '/' || c == '#' || c == '+' || c < 0x21)) {
            return CompletableFuture.failedFuture(new HubRefusedException("bad-method", 400, "method name '" + method
                    + "' (expected: 1..128 visible characters without / # +)"));
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
            return CompletableFuture.failedFuture(new HubRefusedException("bad-timeout", 400, "timeout " + timeout + " (expected: 1 s .. 5 min)"));
        }
        MqttSession s = context.sessions.get(deviceId);
        if (s == null) {
            return CompletableFuture.failedFuture(new HubRefusedException("device-offline", 404, "device '" + deviceId + "' is not connected"));
        }
        return s.invoke(method, payloadJson, timeout.toMillis());
    }

    /** The telemetry routes (null when a custom sink was given to the builder). */
    public dev.holdfast.hub.routing.TelemetryRouter router() {
        return router;
    }

    /** The built-in telemetry store (its recent messages, for the API and tests). */
    public JdbcTelemetryStore telemetryStore() {
        return store;
    }

    public HubMetrics metrics() {
        return context.metrics();
    }

    /** Stops accepting, closes every session, waits for the network threads and the telemetry writer. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (listener != null) listener.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        blocking.shutdown();
        try {
            if (!blocking.awaitTermination(5, TimeUnit.SECONDS)) blocking.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (router != null) router.close();
        store.close();
        log.info("hub stopped");
    }

    /** How to build a hub; everything not set has the default its setter names. */
    public static final class Builder {
        private final HubConfig config;
        private final PrivateKey key;
        private final X509Certificate[] chain;
        private final CertificateAuthority ca;
        private final DeviceRegistry registry;
        private final Database db;
        private final EventSink events;
        private AccessPolicy policy = AccessPolicy.ALLOW_ALL;
        private ProvisioningGateway provisioning = ProvisioningGateway.NONE;
        private TelemetrySink telemetry;
        private java.util.List<dev.holdfast.hub.routing.Route> routes = java.util.List.of();
        private MeterRegistry meters = new SimpleMeterRegistry();
        private Clock clock = Clock.systemUTC();
        private boolean preferBoringSsl = true;
        private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());

        private Builder(HubConfig config, PrivateKey key, X509Certificate[] chain, CertificateAuthority ca, DeviceRegistry registry, Database db,
                        EventSink events) {
            this.config = config;
            this.key = key;
            this.chain = chain.clone();
            this.ca = ca;
            this.registry = registry;
            this.db = db;
            this.events = events;
        }

        /** Unset: {@link AccessPolicy#ALLOW_ALL}. */
        public Builder accessPolicy(AccessPolicy p) {
            this.policy = p;
            return this;
        }

        /** Unset: {@link ProvisioningGateway#NONE} (DPS connections refused). */
        public Builder provisioning(ProvisioningGateway g) {
            this.provisioning = g;
            return this;
        }

        /** Unset: the built-in telemetry store in the database. */
        public Builder telemetry(TelemetrySink s) {
            this.telemetry = s;
            return this;
        }

        /** Unset or empty: the default route, every message to the built-in store. Ignored with {@link #telemetry}. */
        public Builder routes(java.util.List<dev.holdfast.hub.routing.Route> r) {
            this.routes = java.util.List.copyOf(r);
            return this;
        }

        /** Unset: a private {@code SimpleMeterRegistry}. */
        public Builder meters(MeterRegistry m) {
            this.meters = m;
            return this;
        }

        /** Unset: the system UTC clock. */
        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /** Unset: true (BoringSSL when netty-tcnative loads, else the JDK). */
        public Builder preferBoringSsl(boolean b) {
            this.preferBoringSsl = b;
            return this;
        }

        /** Unset: the number of processors, at least 2. */
        public Builder ioThreads(int n) {
            this.ioThreads = n;
            return this;
        }

        public MqttHub build() {
            return new MqttHub(this);
        }
    }
}
