package dev.holdfast.hub.internal;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.hub.AccessDecision;
import dev.holdfast.hub.CloudToDeviceMessage;
import dev.holdfast.hub.MethodResult;
import dev.holdfast.hub.ProvisioningGateway;
import dev.holdfast.hub.SessionInfo;
import dev.holdfast.hub.TelemetryMessage;
import dev.holdfast.pki.Bytes;
import dev.holdfast.registry.ConnectionState;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.RegistryRefusedException;
import dev.holdfast.registry.TlsParameters;
import dev.holdfast.registry.Twin;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One device connection: the MQTT state machine after TLS. All state lives in fields and is touched
 * only on the channel's event loop; blocking work (registry, store, policy, provisioning) runs on the
 * hub's virtual threads and hops back with {@link #onLoop}. No thread per connection.
 *
 * <p>States: waiting for the TLS handshake, waiting for CONNECT, authenticating (reads paused),
 * connected as a device or as a provisioning client, closed. Anything out of order or malformed ends
 * this session only, with a reason code for MQTT 5 and an event.
 *
 * <p>Inbound QoS 1 publishes are acknowledged in the order they arrived (MQTT 3.1.1 §4.6) and only
 * when their work is done (telemetry durably accepted, twin stored); while too many wait, reads stop
 * (backpressure instead of an unbounded queue).
 */
public final class MqttSession extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(MqttSession.class);
    private static final Pattern DPS_USERNAME = Pattern.compile("([^/]+)/registrations/([^/]+)/.*", Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();
    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(65_536).build());
    }
    /** Unacknowledged inbound QoS 1 publishes before reads pause, and when they resume. */
    static final int MAX_PENDING_ACKS = 64;
    static final int RESUME_PENDING_ACKS = 16;
    /** Packets a client may pipeline behind its CONNECT before the hub has answered it. */
    static final int MAX_EARLY_PACKETS = 32;

    private enum State { HANDSHAKE, AWAIT_CONNECT, AUTHENTICATING, DEVICE, PROVISIONING, CLOSED }

    private final HubContext hub;
    private ChannelHandlerContext ctx;
    private State state = State.HANDSHAKE;
    private boolean v5;
    private String remote = "?";
    private String tlsProtocol = "?";
    private String cipherSuite = "?";
    private X509Certificate[] chain = new X509Certificate[0];
    private ScheduledFuture<?> connectTimer;
    private final ArrayDeque<Object> early = new ArrayDeque<>();

    // device session
    private String deviceId;
    /** For a gateway: the enabled children registered under it, read at CONNECT, for which it may send telemetry. */
    private Set<String> children = Set.of();
    private Optional<String> moduleId = Optional.empty();
    private boolean quarantined;
    private String certificateSha256;
    private BigInteger certificateSerial;
    private Instant connectedAt;
    private final Set<IotHubSubscription> subscriptions = EnumSet.noneOf(IotHubSubscription.class);
    private MqttConnectMessage will;
    private boolean cleanDisconnect;
    private volatile boolean registered;
    private boolean deviceSession;
    private String endReason;

    // in-flight work
    private final ArrayDeque<AckSlot> acks = new ArrayDeque<>();
    private int nextPacketId = 1;
    private final Map<Integer, String> c2dInFlight = new HashMap<>();
    private final Set<String> c2dSent = new java.util.HashSet<>();
    private final Map<String, CompletableFuture<MethodResult>> methods = new HashMap<>();
    private long nextRid = 1;

    // rate limits (token buckets, refilled per second)
    private double messageTokens;
    private double byteTokens;
    private long lastRefillNanos;

    // provisioning
    private ProvisioningGateway.Client dpsClient;
    private CompletableFuture<Void> dpsChain = CompletableFuture.completedFuture(null);

    private static final class AckSlot {
        final int packetId;
        boolean done;
        byte reason;

        AckSlot(int packetId) {
            this.packetId = packetId;
        }
    }

    public MqttSession(HubContext hub) {
        this.hub = hub;
        this.messageTokens = hub.config.maxMessagesPerSecond();
        this.byteTokens = hub.config.maxBytesPerSecond();
        this.lastRefillNanos = System.nanoTime();
    }

    // ------------------------------------------------------------------------------------ lifecycle

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) remote = a.getAddress().getHostAddress() + ":" + a.getPort();
        connectTimer = ctx.executor().schedule(() -> {
            if (state == State.HANDSHAKE || state == State.AWAIT_CONNECT || state == State.AUTHENTICATING) {
                hub.metrics.limit("connect-timeout");
                hub.events.limitExceeded(null, remote, "connect-timeout", "no accepted CONNECT from " + remote + " within " + hub.config.connectTimeout());
                close("connect timeout");
            }
        }, hub.config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent hs) {
            if (!hs.isSuccess()) {
                hub.metrics.refused("tls-handshake");
                log.debug("TLS handshake from {} failed: {}", remote, hs.cause().toString());
                ctx.close();
                return;
            }
            SSLSession s = ctx.pipeline().get(SslHandler.class).engine().getSession();
            tlsProtocol = s.getProtocol();
            cipherSuite = s.getCipherSuite();
            try {
                Certificate[] peer = s.getPeerCertificates();
                List<X509Certificate> certs = new ArrayList<>();
                for (Certificate c : peer) if (c instanceof X509Certificate x) certs.add(x);
                chain = certs.toArray(X509Certificate[]::new);
            } catch (SSLPeerUnverifiedException e) {
                chain = new X509Certificate[0];
            }
            state = State.AWAIT_CONNECT;
            return;
        }
        if (evt instanceof MqttFlagsGuard.Violation v) {
            hub.metrics.malformed.increment();
            violation(v.message());
            return;
        }
        if (evt instanceof IdleStateEvent) {
            hub.metrics.limit("keep-alive");
            log.debug("device {} at {}: keep-alive expired", deviceId, remote);
            close("keep-alive expired");
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        state = State.CLOSED;
        if (connectTimer != null) connectTimer.cancel(false);
        for (Object o : early) ReferenceCountUtil.release(o);
        early.clear();
        for (CompletableFuture<MethodResult> f : methods.values()) {
            f.completeExceptionally(new dev.holdfast.hub.HubRefusedException("device-offline", 404, "device '" + deviceId + "' disconnected"));
        }
        methods.clear();
        if (deviceSession) {
            if (!cleanDisconnect && will != null) deliverWill();
            if (registered) {
                hub.sessions.remove(deviceId, this);
                hub.bySerial.remove(certificateSerial, this);
                String id = deviceId;
                Instant at = hub.clock.instant();
                blocking(() -> {
                    if (!hub.sessions.containsKey(id)) hub.registry.recordConnection(new DeviceId(id), ConnectionState.DISCONNECTED, at);
                });
            }
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // TLS alerts, resets and decoder errors end this session only; they are the client's problem.
        log.debug("session {} ({}) failed: {}", deviceId, remote, cause.toString());
        if (state != State.CLOSED) ctx.close();
    }

    // ------------------------------------------------------------------------------------ inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof MqttMessage m)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (state == State.AUTHENTICATING) {
                if (early.size() >= MAX_EARLY_PACKETS) {
                    violation("more than " + MAX_EARLY_PACKETS + " packets before CONNACK");
                    return;
                }
                early.add(ReferenceCountUtil.retain(m));
                return;
            }
            handle(m);
        } finally {
            ReferenceCountUtil.release(m);
        }
    }

    private void handle(MqttMessage m) {
        if (state == State.CLOSED) return;
        if (m.decoderResult().isFailure()) {
            hub.metrics.malformed.increment();
            violation("malformed packet: " + m.decoderResult().cause().getMessage());
            return;
        }
        MqttFixedHeader h = m.fixedHeader();
        String flags = MqttPacketRules.flagsProblem(h);
        if (flags != null) {
            hub.metrics.malformed.increment();
            violation(flags);
            return;
        }
        if (state == State.HANDSHAKE) {
            close("packet before the TLS handshake finished");
            return;
        }
        if (state == State.AWAIT_CONNECT) {
            if (h.messageType() != MqttMessageType.CONNECT) {
                hub.metrics.malformed.increment();
                violation(h.messageType() + " before CONNECT (MQTT 3.1.1 §3.1: the first packet must be CONNECT)");
                return;
            }
            connect((MqttConnectMessage) m);
            return;
        }
        switch (h.messageType()) {
            case CONNECT -> violation("second CONNECT (MQTT 3.1.1 §3.1.0-2)");
            case PUBLISH -> publish((MqttPublishMessage) m);
            case PUBACK -> pubAck(((MqttPubAckMessage) m).variableHeader().messageId());
            case SUBSCRIBE -> subscribe((MqttSubscribeMessage) m);
            case UNSUBSCRIBE -> unsubscribe((MqttUnsubscribeMessage) m);
            case PINGREQ -> ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0)));
            case DISCONNECT -> {
                cleanDisconnect = true;
                ctx.close();
            }
            case PUBREC, PUBREL, PUBCOMP -> violation(h.messageType() + ": QoS 2 is not supported");
            default -> violation(h.messageType() + " is not sent by clients");
        }
    }

    // ------------------------------------------------------------------------------------ CONNECT

    private void connect(MqttConnectMessage c) {
        int version = c.variableHeader().version();
        v5 = version == 5;
        if (version != 4 && version != 5) {
            refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION,
                    MqttConnectReturnCode.CONNECTION_REFUSED_UNSUPPORTED_PROTOCOL_VERSION, "protocol-version", null,
                    "MQTT protocol level " + version + " (expected: 4 for 3.1.1 or 5)");
            return;
        }
        String clientId = c.payload().clientIdentifier();
        String username = c.variableHeader().hasUserName() ? c.payload().userName() : null;
        if (c.variableHeader().isWillFlag()) {
            will = c;
            ReferenceCountUtil.retain(c);
        }
        state = State.AUTHENTICATING;
        ctx.channel().config().setAutoRead(false);
        X509Certificate[] presented = chain;
        var dps = username == null ? null : DPS_USERNAME.matcher(username);
        if (dps != null && dps.matches()) {
            ProvisioningGateway.Client client = new ProvisioningGateway.Client(username, clientId, dps.group(1), dps.group(2), List.of(presented));
            supply(() -> presented.length > 0 && hub.provisioning.admit(client), admitted -> {
                if (!Boolean.TRUE.equals(admitted)) {
                    refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5,
                            "provisioning-refused", null, "provisioning client '" + IotHubTopic.excerpt(String.valueOf(clientId)) + "' not admitted");
                    return;
                }
                dpsClient = client;
                accepted(State.PROVISIONING, c.variableHeader().keepAliveTimeSeconds());
            });
            return;
        }
        Instant now = hub.clock.instant();
        supply(() -> decide(clientId, username, presented, now), outcome -> {
            if (outcome instanceof DeviceAuthenticator.Refused r) {
                refuseConnect(codeFor(r.reason(), false), codeFor(r.reason(), true),
                        r.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), deviceIdOf(clientId), r.message());
            } else {
                deviceAccepted((Decided) outcome, c);
            }
        });
    }

    /** Authentication, then the will topic and the access policy; runs on a virtual thread. */
    private Object decide(String clientId, String username, X509Certificate[] presented, Instant now) {
        var outcome = hub.authenticator.authenticate(clientId, username, presented, now);
        if (!(outcome instanceof DeviceAuthenticator.Accepted a)) return outcome;
        if (will != null) {
            String topic = will.payload().willTopic();
            if (!(IotHubTopic.parse(topic, a.device().id().value()) instanceof IotHubTopic.Telemetry)) {
                return new DeviceAuthenticator.Refused(DeviceAuthenticator.Reason.BAD_CLIENT_ID,
                        "will topic '" + IotHubTopic.excerpt(topic) + "' is not the device's telemetry topic");
            }
        }
        AccessDecision decision;
        try {
            decision = hub.policy.decide(a.device(), a.certificate(), tlsProtocol);
        } catch (RuntimeException e) {
            log.error("access policy failed for device {}; refusing", a.device().id(), e);
            decision = new AccessDecision.Refuse("access policy failed");
        }
        if (decision instanceof AccessDecision.Refuse r) {
            return new PolicyRefused(a.device().id().value(), r.reason());
        }
        // The registry's lifecycle is authoritative too: a quarantined device gets the quarantine scope
        // whatever the policy allows.
        boolean quarantine = decision instanceof AccessDecision.Quarantine || a.device().lifecycle() == dev.holdfast.registry.LifecycleState.QUARANTINED;
        Set<String> kids = Set.of();
        if (a.device().capabilities().gateway() && a.moduleId().isEmpty()) {
            Set<String> found = new java.util.HashSet<>();
            var page = hub.registry.list(new dev.holdfast.registry.DeviceFilter(Optional.of(dev.holdfast.registry.DeviceStatus.ENABLED), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.of(a.device().id())), Optional.empty(), 1000);
            for (var d : page.items()) if (d.lifecycle() != dev.holdfast.registry.LifecycleState.DECOMMISSIONED) found.add(d.id().value());
            kids = Set.copyOf(found);
        }
        return new Decided(a, quarantine, kids);
    }

    private record Decided(DeviceAuthenticator.Accepted auth, boolean quarantine, Set<String> children) {
    }

    private record PolicyRefused(String deviceId, String reason) {
    }

    private <T> void supply(Supplier<T> work, java.util.function.Consumer<Object> then) {
        CompletableFuture.supplyAsync(work::get, hub.blocking).whenComplete((v, e) -> onLoop(() -> {
            if (state == State.CLOSED) return;
            if (e != null) {
                log.error("session {}: internal failure", remote, e);
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5,
                        "internal-error", null, "internal error");
                return;
            }
            if (v instanceof PolicyRefused p) {
                refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5,
                        "policy", p.deviceId(), "access policy refused device '" + p.deviceId() + "': " + p.reason());
                return;
            }
            then.accept(v);
        }));
    }

    private static String deviceIdOf(String clientId) {
        if (clientId == null) return null;
        int slash = clientId.indexOf('/');
        String id = slash > 0 ? clientId.substring(0, slash) : clientId;
        return DeviceId.isValid(id) ? id : null;
    }

    private static MqttConnectReturnCode codeFor(DeviceAuthenticator.Reason r, boolean v5) {
        return switch (r) {
            case BAD_CLIENT_ID -> v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED;
            case BAD_USERNAME -> v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
            case DEVICE_DISABLED, DEVICE_DECOMMISSIONED -> v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BANNED : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
            default -> v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5 : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED;
        };
    }

    private void refuseConnect(MqttConnectReturnCode v3, MqttConnectReturnCode v5code, String reason, String device, String message) {
        hub.metrics.refused(reason);
        hub.events.connectRefused(device, remote, reason, message);
        log.debug("CONNECT from {} refused: {}", remote, message);
        state = State.CLOSED;
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (v5) {
            props = new MqttProperties();
            props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.REASON_STRING.value(), message.length() > 200 ? message.substring(0, 200) : message));
        }
        MqttConnAckMessage ack = MqttMessageBuilders.connAck().returnCode(v5 ? v5code : v3).sessionPresent(false).properties(props).build();
        ctx.channel().config().setAutoRead(true);
        ctx.writeAndFlush(ack).addListener(ChannelFutureListener.CLOSE);
    }

    private void deviceAccepted(Decided d, MqttConnectMessage c) {
        DeviceAuthenticator.Accepted a = d.auth();
        deviceId = a.device().id().value();
        moduleId = a.moduleId();
        quarantined = d.quarantine();
        children = d.children();
        certificateSha256 = a.sha256();
        certificateSerial = a.certificate().getSerialNumber();
        connectedAt = hub.clock.instant();
        registered = true;
        deviceSession = true;
        MqttSession old = hub.sessions.put(deviceId, this);
        hub.bySerial.put(certificateSerial, this);
        if (old != null && old != this) old.end("replaced", "a new connection of the same device from " + remote);
        // A revocation that landed after the check but before this registration found no session to end.
        if (hub.authenticator.isRevoked(a.certificate())) {
            refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5,
                    "certificate-revoked", deviceId, "certificate " + certificateSerial.toString(16) + " was revoked during CONNECT");
            return;
        }
        accepted(State.DEVICE, c.variableHeader().keepAliveTimeSeconds());
        hub.metrics.accepted.increment();
        String scope = quarantined ? "quarantine" : "full";
        hub.events.connectAccepted(deviceId, remote, tlsProtocol, cipherSuite, scope, certificateSha256);
        String id = deviceId;
        Instant at = connectedAt;
        String proto = tlsProtocol;
        String cipher = cipherSuite;
        blocking(() -> {
            hub.registry.recordConnection(new DeviceId(id), ConnectionState.CONNECTED, at);
            hub.registry.recordTls(new DeviceId(id), new TlsParameters(proto, cipher, at));
        });
    }

    private void accepted(State next, int keepAliveSeconds) {
        state = next;
        if (connectTimer != null) connectTimer.cancel(false);
        if (keepAliveSeconds > 0) {
            // MQTT 3.1.1 §3.1.2.10: close after one and a half keep-alive periods without a packet.
            long idleMillis = keepAliveSeconds * 1500L;
            ctx.pipeline().addBefore(ctx.name(), "keep-alive", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS));
        }
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (v5) {
            props = new MqttProperties();
            props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.MAXIMUM_QOS.value(), 1));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.RETAIN_AVAILABLE.value(), 0));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE.value(), hub.config.maxPacketBytes()));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE.value(), 1));
            props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE.value(), 0));
        }
        ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).sessionPresent(false).properties(props).build());
        ctx.channel().config().setAutoRead(true);
        while (!early.isEmpty() && state != State.CLOSED) {
            Object o = early.poll();
            try {
                handle((MqttMessage) o);
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
    }

    // ------------------------------------------------------------------------------------ PUBLISH

    private void publish(MqttPublishMessage p) {
        MqttQoS qos = p.fixedHeader().qosLevel();
        int packetId = p.variableHeader().packetId();
        String topic = p.variableHeader().topicName();
        if (qos == MqttQoS.EXACTLY_ONCE) {
            hub.metrics.refused("qos2");
            hub.events.authorizationDenied(deviceId, "publish", "QoS 2 PUBLISH to '" + IotHubTopic.excerpt(topic) + "' refused (the hub supports QoS 0 and 1)");
            disconnect((byte) 0x9B, "QoS 2 is not supported");
            return;
        }
        if (topic.indexOf('#') >= 0 || topic.indexOf('+') >= 0 || topic.isEmpty()) {
            hub.metrics.malformed.increment();
            violation("PUBLISH topic '" + IotHubTopic.excerpt(topic) + "' has wildcards or is empty (MQTT 3.1.1 §3.3.2.1)");
            return;
        }
        ByteBuf payload = p.payload();
        if (!withinRate(payload.readableBytes())) return;
        if (state == State.PROVISIONING) {
            provisioningPublish(topic, payload, qos, packetId);
            return;
        }
        IotHubTopic t = IotHubTopic.parse(topic, deviceId);
        String sender = deviceId;
        if (t instanceof IotHubTopic.Foreign && !children.isEmpty() && topic.startsWith("devices/")) {
            // Identity translation: a gateway publishes a registered child's telemetry on the child's topic.
            int end = topic.indexOf('/', 8);
            String child = end < 0 ? null : topic.substring(8, end);
            if (child != null && children.contains(child) && IotHubTopic.parse(topic, child) instanceof IotHubTopic.Telemetry ct) {
                t = ct;
                sender = child;
            }
        }
        switch (t) {
            case IotHubTopic.Foreign f -> deny(qos, packetId, "publish", f.reason());
            case IotHubTopic.Malformed mf -> deny(qos, packetId, "publish", mf.reason());
            case IotHubTopic.Telemetry tel -> {
                if (quarantined) {
                    deny(qos, packetId, "publish", "device '" + deviceId + "' is quarantined: telemetry refused");
                    return;
                }
                TelemetryMessage msg = telemetry(sender, tel, ByteBufUtil.getBytes(payload), false);
                hub.metrics.telemetryIn.increment();
                track(qos, packetId, hub.telemetry.accept(msg));
            }
            case IotHubTopic.TwinGet g -> track(qos, packetId, work(() -> twinGet(g.rid())));
            case IotHubTopic.TwinReported r -> {
                byte[] body = ByteBufUtil.getBytes(payload);
                track(qos, packetId, work(() -> twinReported(r.rid(), body)));
            }
            case IotHubTopic.MethodResponse mr -> {
                if (quarantined) {
                    deny(qos, packetId, "publish", "device '" + deviceId + "' is quarantined: method responses refused");
                    return;
                }
                CompletableFuture<MethodResult> f = methods.remove(mr.rid());
                if (f != null) f.complete(new MethodResult(mr.status(), payload.readableBytes() == 0 ? "null" : payload.toString(StandardCharsets.UTF_8)));
                track(qos, packetId, CompletableFuture.completedFuture(null));
            }
        }
    }

    private TelemetryMessage telemetry(String sender, IotHubTopic.Telemetry tel, byte[] body, boolean isWill) {
        Map<String, String> system = new LinkedHashMap<>();
        Map<String, String> app = new LinkedHashMap<>();
        for (var e : tel.properties().entrySet()) {
            if (e.getKey().startsWith("$.")) system.put(e.getKey().substring(2), e.getValue());
            else app.put(e.getKey(), e.getValue());
        }
        Optional<String> module = tel.moduleId() != null ? Optional.of(tel.moduleId()) : sender.equals(deviceId) ? moduleId : Optional.empty();
        return new TelemetryMessage(sender, module, hub.clock.instant(), system, app, Bytes.wrapOwned(body), isWill);
    }

    private void deliverWill() {
        MqttConnectMessage w = will;
        will = null;
        try {
            if (IotHubTopic.parse(w.payload().willTopic(), deviceId) instanceof IotHubTopic.Telemetry tel && !quarantined) {
                hub.telemetry.accept(telemetry(deviceId, tel, w.payload().willMessageInBytes(), true));
            }
        } finally {
            ReferenceCountUtil.release(w);
        }
    }

    /** Per-device token buckets; over the limit ends the session (3.1.1) or disconnects with 0x96 (5). */
    private boolean withinRate(int bytes) {
        long now = System.nanoTime();
        double seconds = (now - lastRefillNanos) / 1e9;
        lastRefillNanos = now;
        int maxMsgs = hub.config.maxMessagesPerSecond();
        int maxBytes = hub.config.maxBytesPerSecond();
        messageTokens = Math.min(maxMsgs, messageTokens + seconds * maxMsgs);
        byteTokens = Math.min(maxBytes, byteTokens + seconds * maxBytes);
        messageTokens -= 1;
        byteTokens -= bytes;
        if (messageTokens >= 0 && byteTokens >= 0) return true;
        String which = messageTokens < 0 ? "message-rate" : "byte-rate";
        hub.metrics.limit(which);
        hub.events.limitExceeded(deviceId, remote, which, "device '" + deviceId + "' exceeded " + (messageTokens < 0
                ? maxMsgs + " messages per second" : maxBytes + " bytes per second") + "; session closed");
        disconnect((byte) 0x96, "rate limit exceeded");
        return false;
    }

    private void deny(MqttQoS qos, int packetId, String what, String message) {
        hub.metrics.refused("topic");
        hub.events.authorizationDenied(deviceId, what, message);
        log.debug("device {}: {}", deviceId, message);
        if (v5 && qos == MqttQoS.AT_LEAST_ONCE) {
            AckSlot slot = new AckSlot(packetId);
            slot.done = true;
            slot.reason = (byte) 0x87;
            acks.add(slot);
            flushAcks();
            return;
        }
        disconnect((byte) 0x87, message);
    }

    private CompletionStage<Void> work(Runnable r) {
        return CompletableFuture.runAsync(r, hub.blocking);
    }

    /** Acknowledges a QoS 1 publish in arrival order once {@code done} completes; a failure ends the session. */
    private void track(MqttQoS qos, int packetId, CompletionStage<Void> done) {
        AckSlot slot = qos == MqttQoS.AT_LEAST_ONCE ? new AckSlot(packetId) : null;
        if (slot != null) {
            acks.add(slot);
            if (acks.size() >= MAX_PENDING_ACKS) ctx.channel().config().setAutoRead(false);
        }
        done.whenComplete((v, e) -> onLoop(() -> {
            if (e != null) {
                Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof JdbcTelemetryStore.Overloaded) {
                    hub.metrics.limit("telemetry-backlog");
                } else {
                    log.warn("device {}: message not accepted: {}", deviceId, cause.toString());
                }
                // No PUBACK: the device sends it again on its next connection.
                disconnect((byte) 0x97, "message not accepted: " + cause.getMessage());
                return;
            }
            if (slot != null) {
                slot.done = true;
                flushAcks();
            }
        }));
    }

    private void flushAcks() {
        if (state == State.CLOSED) return;
        boolean wrote = false;
        while (!acks.isEmpty() && acks.peek().done) {
            AckSlot s = acks.poll();
            MqttMessageBuilders.PubAckBuilder b = MqttMessageBuilders.pubAck().packetId(s.packetId);
            if (v5) b.reasonCode(s.reason);
            ctx.write(b.build());
            wrote = true;
        }
        if (wrote) ctx.flush();
        if (acks.size() <= RESUME_PENDING_ACKS && !ctx.channel().config().isAutoRead() && state != State.AUTHENTICATING) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    // ------------------------------------------------------------------------------------ twin

    private void twinGet(String rid) {
        Twin t = hub.registry.twin(new DeviceId(deviceId));
        ObjectNode doc = JSON.createObjectNode();
        ObjectNode desired = t.desired().toNode();
        desired.put("$version", t.desiredVersion());
        ObjectNode reported = t.reported().toNode();
        reported.put("$version", t.reportedVersion());
        doc.set("desired", desired);
        doc.set("reported", reported);
        byte[] body = doc.toString().getBytes(StandardCharsets.UTF_8);
        onLoop(() -> send("$iothub/twin/res/200/?$rid=" + rid, body, MqttQoS.AT_MOST_ONCE));
    }

    private void twinReported(String rid, byte[] body) {
        String status;
        String version = "";
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) {
                status = "400";
            } else {
                Twin t = hub.registry.patchReported(new DeviceId(deviceId), JsonDocument.of((ObjectNode) n));
                status = "204";
                version = "&$version=" + t.reportedVersion();
            }
        } catch (java.io.IOException e) {
            status = "400";
        } catch (RegistryRefusedException e) {
            status = e.getMessage() != null && e.getMessage().contains("exceeds") ? "413" : "400";
        }
        String topic = "$iothub/twin/res/" + status + "/?$rid=" + rid + version;
        onLoop(() -> send(topic, new byte[0], MqttQoS.AT_MOST_ONCE));
    }

    /** Pushes a desired-properties patch if the device subscribed to them. */
    public void pushDesired(String patchJson, long version) {
        onLoop(() -> {
            if (state != State.DEVICE || !subscriptions.contains(IotHubSubscription.TWIN_DESIRED)) return;
            send("$iothub/twin/PATCH/properties/desired/?$version=" + version, patchJson.getBytes(StandardCharsets.UTF_8), MqttQoS.AT_MOST_ONCE);
        });
    }

    // ------------------------------------------------------------------------------------ methods

    /** Sends a direct method call; the future completes with the device's answer or fails on timeout/disconnect. */
    public CompletableFuture<MethodResult> invoke(String name, String payloadJson, long timeoutMillis) {
        CompletableFuture<MethodResult> f = new CompletableFuture<>();
        onLoop(() -> {
            if (state != State.DEVICE || quarantined || !subscriptions.contains(IotHubSubscription.METHODS)) {
                f.completeExceptionally(new dev.holdfast.hub.HubRefusedException("device-offline", 404, "device '" + deviceId
                        + "' is not connected or has not subscribed to direct methods"));
                return;
            }
            String rid = Long.toHexString(nextRid++);
            methods.put(rid, f);
            ctx.executor().schedule(() -> {
                if (methods.remove(rid) != null) {
                    f.completeExceptionally(new dev.holdfast.hub.HubRefusedException("method-timeout", 504, "device '" + deviceId
                            + "' did not answer method '" + name + "' within " + timeoutMillis + " ms"));
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
            send("$iothub/methods/POST/" + name + "/?$rid=" + rid, payloadJson.getBytes(StandardCharsets.UTF_8), MqttQoS.AT_MOST_ONCE);
        });
        return f;
    }

    // ------------------------------------------------------------------------------------ cloud to device

    /** Sends a queued message now if the device listens for them and it is not already in flight. */
    public void deliver(CloudToDeviceMessage m) {
        onLoop(() -> {
            if (state != State.DEVICE || quarantined || !subscriptions.contains(IotHubSubscription.CLOUD_TO_DEVICE)) return;
            if (!c2dSent.add(m.id())) return;
            Map<String, String> system = new LinkedHashMap<>();
            system.put("$.mid", m.id());
            system.put("$.to", "/devices/" + deviceId + "/messages/devicebound");
            String topic = "devices/" + deviceId + "/messages/devicebound/" + PropertyBag.encode(system, m.properties());
            int pid = send(topic, m.body().toArray(), MqttQoS.AT_LEAST_ONCE);
            c2dInFlight.put(pid, m.id());
            hub.metrics.c2dOut.increment();
            blocking(() -> hub.cloudToDevice.delivered(m.id()));
        });
    }

    private void pubAck(int packetId) {
        String id = c2dInFlight.remove(packetId);
        if (id != null) blocking(() -> hub.cloudToDevice.complete(id));
    }

    // ------------------------------------------------------------------------------------ SUBSCRIBE

    private void subscribe(MqttSubscribeMessage s) {
        List<Integer> codes = new ArrayList<>();
        boolean c2dNew = false;
        for (MqttTopicSubscription ts : s.payload().topicSubscriptions()) {
            String filter = ts.topicFilter();
            int granted = Math.min(ts.qualityOfService().value(), 1);
            if (state == State.PROVISIONING) {
                if (filter.startsWith("$dps/registrations/res/")) {
                    codes.add(granted);
                } else {
                    codes.add(v5 ? 0x87 : 0x80);
                    hub.metrics.refused("topic");
                }
                continue;
            }
            IotHubSubscription kind = IotHubSubscription.of(filter, deviceId);
            boolean allowed = kind != null && (!quarantined || kind == IotHubSubscription.TWIN_RESPONSES || kind == IotHubSubscription.TWIN_DESIRED);
            if (!allowed) {
                hub.metrics.refused("topic");
                hub.events.authorizationDenied(deviceId, "subscribe", "device '" + deviceId + "' may not subscribe to '" + IotHubTopic.excerpt(filter) + "'"
                        + (quarantined && kind != null ? " while quarantined" : ""));
                codes.add(v5 ? 0x87 : 0x80);
                continue;
            }
            if (kind == IotHubSubscription.CLOUD_TO_DEVICE && !subscriptions.contains(kind)) c2dNew = true;
            subscriptions.add(kind);
            codes.add(granted);
        }
        MqttSubAckMessage ack = new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttMessageIdAndPropertiesVariableHeader(s.variableHeader().messageId(), MqttProperties.NO_PROPERTIES), new MqttSubAckPayload(codes));
        ctx.writeAndFlush(ack);
        if (c2dNew) {
            String id = deviceId;
            blocking(() -> {
                for (CloudToDeviceMessage m : hub.cloudToDevice.undelivered(id)) deliver(m);
            });
        }
    }

    private void unsubscribe(MqttUnsubscribeMessage u) {
        for (String filter : u.payload().topics()) {
            IotHubSubscription kind = deviceId == null ? null : IotHubSubscription.of(filter, deviceId);
            if (kind != null) subscriptions.remove(kind);
        }
        MqttMessageBuilders.UnsubAckBuilder b = MqttMessageBuilders.unsubAck().packetId(u.variableHeader().messageId());
        if (v5) {
            short[] codes = new short[u.payload().topics().size()];
            b.addReasonCodes(toBoxed(codes));
        }
        ctx.writeAndFlush(b.build());
    }

    private static Short[] toBoxed(short[] s) {
        Short[] out = new Short[s.length];
        for (int i = 0; i < s.length; i++) out[i] = s[i];
        return out;
    }

    // ------------------------------------------------------------------------------------ provisioning

    private void provisioningPublish(String topic, ByteBuf payload, MqttQoS qos, int packetId) {
        if (!topic.startsWith("$dps/registrations/")) {
            deny(qos, packetId, "publish", "provisioning client may publish only to $dps/registrations/...");
            return;
        }
        Bytes body = Bytes.wrapOwned(ByteBufUtil.getBytes(payload));
        ProvisioningGateway.Client client = dpsClient;
        CompletableFuture<Void> step = dpsChain.thenComposeAsync(x -> hub.provisioning.publish(client, topic, body).thenAccept(replies ->
                onLoop(() -> {
                    for (ProvisioningGateway.Reply r : replies) send(r.topic(), r.payload().toArray(), MqttQoS.AT_MOST_ONCE);
                })), hub.blocking);
        dpsChain = step.exceptionally(e -> null);
        track(qos, packetId, step);
    }

    // ------------------------------------------------------------------------------------ output and endings

    /** Writes a publish to the device; returns its packet id (0 for QoS 0). */
    private int send(String topic, byte[] body, MqttQoS qos) {
        if (state == State.CLOSED) return 0;
        int pid = 0;
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            pid = nextPacketId;
            nextPacketId = nextPacketId == 65535 ? 1 : nextPacketId + 1;
        }
        MqttPublishMessage p = MqttMessageBuilders.publish().topicName(topic).qos(qos).retained(false).messageId(pid)
                .payload(Unpooled.wrappedBuffer(body)).build();
        ctx.writeAndFlush(p);
        return pid;
    }

    /** Ends the session from any thread: revocation, disabled device, a newer connection, an operator. */
    public void end(String reason, String message) {
        onLoop(() -> {
            if (state == State.CLOSED) return;
            endReason = reason;
            hub.events.sessionEnded(deviceId, reason, message);
            disconnect((byte) 0x98, message);
        });
    }

    private void violation(String message) {
        hub.events.protocolViolation(deviceId, remote, message);
        log.debug("session {} ({}) protocol violation: {}", deviceId, remote, message);
        disconnect((byte) 0x81, message);
    }

    /** MQTT 5: DISCONNECT with the reason code first; 3.1.1 has no server DISCONNECT, so the connection just closes. */
    private void disconnect(byte reasonCode, String message) {
        if (state == State.CLOSED) {
            ctx.close();
            return;
        }
        boolean connected = state == State.DEVICE || state == State.PROVISIONING;
        state = State.CLOSED;
        if (v5 && connected) {
            MqttProperties props = new MqttProperties();
            props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.REASON_STRING.value(),
                    message == null ? "" : message.length() > 200 ? message.substring(0, 200) : message));
            ctx.writeAndFlush(MqttMessageBuilders.disconnect().reasonCode(reasonCode).properties(props).build()).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    private void close(String why) {
        log.debug("session {} ({}) closed: {}", deviceId, remote, why);
        disconnect((byte) 0x8D, why);
    }

    private void onLoop(Runnable r) {
        Channel ch = ctx == null ? null : ctx.channel();
        if (ch == null) return;
        if (ch.eventLoop().inEventLoop()) r.run();
        else ch.eventLoop().execute(r);
    }

    private void blocking(Runnable r) {
        try {
            hub.blocking.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.warn("device {}: background work failed: {}", deviceId, e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("hub stopping; background work for {} dropped", deviceId);
        }
    }

    // ------------------------------------------------------------------------------------ views

    public String deviceId() {
        return deviceId;
    }

    public SessionInfo info() {
        return new SessionInfo(deviceId, moduleId, remote, v5 ? "5" : "3.1.1", tlsProtocol, cipherSuite, connectedAt,
                quarantined ? "quarantine" : "full", certificateSha256);
    }
}
