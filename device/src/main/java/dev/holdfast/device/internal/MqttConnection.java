package dev.holdfast.device.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One MQTT 3.1.1 client connection over TLS on a shared Netty event loop: CONNECT/CONNACK,
 * PUBLISH at QoS 0 and 1 with PUBACK tracking, SUBSCRIBE, keep-alive pings, DISCONNECT. No
 * reconnection and no buffering: {@code HubClient} and the provisioning client build those on top.
 * Every field is touched only on the channel's event loop, except where noted.
 *
 * <p>The pipeline, in order: TLS, MQTT decoder (bounded message size; a malformed frame closes the
 * connection), MQTT encoder, idle detection (ping when nothing was written for the keep-alive
 * interval; close when nothing was read for 1.5 times it, the server's own rule), and this handler.
 */
public final class MqttConnection {
    /** Inbound PUBLISH: {@code packetId} is 0 for QoS 0; for QoS 1 the receiver must call {@link #puback}. */
    public interface Listener {
        void onPublish(MqttConnection source, String topic, byte[] payload, int qos, int packetId);

        void onClosed(MqttConnection source, Throwable cause);
    }

    /**
     * @param host     where to connect
     * @param peerHost the name the server's certificate must carry (usually {@code host})
     */
    public record Options(String host, int port, String peerHost, SSLContext tls, String clientId, String username, boolean cleanSession,
                          Duration keepAlive, Duration connectTimeout, int maxInboundBytes) {
        public Options {
            if (port < 1 || port > 65535) throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
            if (keepAlive.isNegative() || keepAlive.toSeconds() > 65535) throw new IllegalArgumentException("keepAlive: " + keepAlive + " (expected: 0..65535 s)");
        }
    }

    /** Refused by the broker in its CONNACK (MQTT 3.1.1 §3.2.2.3). */
    public static final class ConnectRefusedException extends IOException {
        private final MqttConnectReturnCode code;

        public ConnectRefusedException(MqttConnectReturnCode code) {
            super("broker refused the connection: " + code);
            this.code = code;
        }

        public MqttConnectReturnCode code() {
            return code;
        }
    }

    private final Channel channel;
    private final Listener listener;
    private final CompletableFuture<MqttConnection> connected = new CompletableFuture<>();
    private final Map<Integer, CompletableFuture<Void>> pendingAcks = new HashMap<>();
    private final Map<Integer, CompletableFuture<List<Integer>>> pendingSubscribes = new HashMap<>();
    private int nextPacketId = 1;

    private MqttConnection(Channel channel, Listener listener) {
        this.channel = channel;
        this.listener = listener;
    }

    public static CompletableFuture<MqttConnection> connect(EventLoopGroup group, Options o, Listener listener) {
        CompletableFuture<MqttConnection> result = new CompletableFuture<>();
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) o.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        MqttConnection c = new MqttConnection(ch, listener);
                        c.connected.whenComplete((v, e) -> {
                            if (e != null) result.completeExceptionally(e);
                            else result.complete(v);
                        });
                        long keepAlive = o.keepAlive().toSeconds();
                        var ssl = new SslHandler(DeviceTls.clientEngine(o.tls(), o.peerHost(), o.port()));
                        ssl.setHandshakeTimeout(o.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
                        ch.pipeline().addLast("tls", ssl)
                                .addLast("mqtt-decoder", new MqttDecoder(o.maxInboundBytes()))
                                .addLast("mqtt-encoder", MqttEncoder.INSTANCE)
                                .addLast("idle", new IdleStateHandler(keepAlive == 0 ? 0 : keepAlive * 3 / 2, keepAlive, 0, TimeUnit.SECONDS))
                                .addLast("client", c.new Handler(o));
                    }
                });
        ChannelFuture cf = b.connect(o.host(), o.port());
        cf.addListener(f -> {
            if (!f.isSuccess()) result.completeExceptionally(f.cause());
        });
        // The CONNACK must arrive within the connect timeout too, or the attempt is abandoned.
        group.schedule(() -> {
            if (!result.isDone()) {
                result.completeExceptionally(new IOException("no CONNACK from " + o.host() + ":" + o.port() + " within " + o.connectTimeout()));
                cf.channel().close();
            }
        }, o.connectTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        return result;
    }

    /** Runs {@code task} on this connection's event loop. */
    public void execute(Runnable task) {
        channel.eventLoop().execute(task);
    }

    public boolean isActive() {
        return channel.isActive();
    }

    /**
     * Publishes; the future completes when the message is written (QoS 0) or acknowledged (QoS 1),
     * and fails if the connection closes first. Safe from any thread.
     */
    public CompletableFuture<Void> publish(String topic, byte[] payload, int qos) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            if (!channel.isActive()) {
                done.completeExceptionally(new IOException("connection closed"));
                return;
            }
            int id = 0;
            if (qos > 0) {
                id = allocatePacketId();
                if (id < 0) {
                    done.completeExceptionally(new IOException("65535 QoS 1 messages in flight (MQTT 3.1.1 §2.3.1 packet identifier limit)"));
                    return;
                }
                pendingAcks.put(id, done);
            }
            MqttPublishMessage m = MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.valueOf(qos)).retained(false)
                    .messageId(id).payload(Unpooled.wrappedBuffer(payload)).build();
            ChannelFuture w = channel.writeAndFlush(m);
            if (qos == 0) {
                w.addListener(f -> {
                    if (f.isSuccess()) done.complete(null);
                    else done.completeExceptionally(f.cause());
                });
            }
        });
        return done;
    }

    /** Subscribes at QoS 1; the future holds the granted QoS per filter (128 = refused). */
    public CompletableFuture<List<Integer>> subscribe(List<String> filters) {
        CompletableFuture<List<Integer>> done = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            int id = allocatePacketId();
            if (id < 0 || !channel.isActive()) {
                done.completeExceptionally(new IOException("cannot subscribe: connection closed or no packet id free"));
                return;
            }
            pendingSubscribes.put(id, done);
            var b = MqttMessageBuilders.subscribe().messageId(id);
            for (String f : filters) b.addSubscription(MqttQoS.AT_LEAST_ONCE, f);
            channel.writeAndFlush(b.build());
        });
        return done;
    }

    /** Acknowledges an inbound QoS 1 PUBLISH. Safe from any thread. */
    public void puback(int packetId) {
        channel.eventLoop().execute(() -> {
            if (channel.isActive()) channel.writeAndFlush(MqttMessageBuilders.pubAck().packetId(packetId).build());
        });
    }

    /** Sends DISCONNECT and closes; pending acknowledgements fail. */
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            if (channel.isActive()) {
                channel.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0)))
                        .addListener(f -> channel.close());
            } else {
                channel.close();
            }
        });
        channel.closeFuture().addListener(f -> done.complete(null));
        return done;
    }

    /** Closes without DISCONNECT, as a lost network would: for tests and scripted misbehaviour. */
    public void abort() {
        channel.close();
    }

    private int allocatePacketId() {
        for (int i = 0; i < 65535; i++) {
            int id = nextPacketId;
            nextPacketId = nextPacketId == 65535 ? 1 : nextPacketId + 1;
            if (!pendingAcks.containsKey(id) && !pendingSubscribes.containsKey(id)) return id;
        }
        return -1;
    }

    private final class Handler extends SimpleChannelInboundHandler<MqttMessage> {
        private final Options options;
        private Throwable failure;

        Handler(Options options) {
            this.options = options;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent idle) {
                if (idle.state() == IdleState.WRITER_IDLE) {
                    ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
                } else if (idle.state() == IdleState.READER_IDLE) {
                    failure = new IOException("no packet from the broker for 1.5 x keep-alive " + options.keepAlive());
                    ctx.close();
                }
                return;
            }
            if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent hs) {
                if (hs.isSuccess()) {
                    var connect = MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId(options.clientId())
                            .cleanSession(options.cleanSession()).keepAlive((int) options.keepAlive().toSeconds());
                    if (options.username() != null) connect.hasUser(true).username(options.username());
                    ctx.writeAndFlush(connect.build());
                } else {
                    failure = hs.cause();
                }
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
            if (msg.decoderResult().isFailure()) {
                failure = new IOException("malformed MQTT packet from the broker: " + msg.decoderResult().cause().getMessage());
                ctx.close();
                return;
            }
            switch (msg.fixedHeader().messageType()) {
                case CONNACK -> {
                    MqttConnectReturnCode code = ((MqttConnAckMessage) msg).variableHeader().connectReturnCode();
                    if (code == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                        connected.complete(MqttConnection.this);
                    } else {
                        failure = new ConnectRefusedException(code);
                        ctx.close();
                    }
                }
                case PUBLISH -> {
                    MqttPublishMessage p = (MqttPublishMessage) msg;
                    int qos = p.fixedHeader().qosLevel().value();
                    if (qos > 1) { // the hub never sends QoS 2 and we never subscribe at it
                        failure = new IOException("QoS 2 PUBLISH from the broker on " + p.variableHeader().topicName());
                        ctx.close();
                        return;
                    }
                    byte[] payload = ByteBufUtil.getBytes(p.content());
                    listener.onPublish(MqttConnection.this, p.variableHeader().topicName(), payload, qos, qos == 1 ? p.variableHeader().packetId() : 0);
                }
                case PUBACK -> {
                    int id = ((MqttPubAckMessage) msg).variableHeader().messageId();
                    CompletableFuture<Void> f = pendingAcks.remove(id);
                    if (f != null) f.complete(null);
                }
                case SUBACK -> {
                    MqttSubAckMessage s = (MqttSubAckMessage) msg;
                    CompletableFuture<List<Integer>> f = pendingSubscribes.remove(s.variableHeader().messageId());
                    if (f != null) f.complete(List.copyOf(s.payload().grantedQoSLevels()));
                }
                case PINGRESP -> { }
                default -> {
                    failure = new IOException("unexpected " + msg.fixedHeader().messageType() + " from the broker");
                    ctx.close();
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (failure == null) failure = cause;
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Throwable cause = failure != null ? failure : new IOException("connection closed");
            connected.completeExceptionally(cause);
            pendingAcks.values().forEach(f -> f.completeExceptionally(cause));
            pendingAcks.clear();
            pendingSubscribes.values().forEach(f -> f.completeExceptionally(cause));
            pendingSubscribes.clear();
            listener.onClosed(MqttConnection.this, cause);
        }
    }
}
