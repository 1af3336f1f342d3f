package dev.holdfast.bench.hub;

import dev.holdfast.pki.TlsPolicy;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Our own MQTT load generator: N mutual-TLS MQTT 3.1.1 connections, each with a distinct device
 * certificate, spread over several 127.0.0.x source addresses, against the Holdfast hub (in a JVM of
 * its own, {@link HubBenchServer}) and against Eclipse Mosquitto 2.0 (Debian package, TLS with
 * {@code require_certificate true} on the same certificates), in the same run. It measures:
 * <ol>
 *   <li>full handshakes per second: TCP, TLS (no session resumption) and CONNECT/CONNACK, with
 *       {@code --concurrency} in flight;</li>
 *   <li>QoS 1 publish throughput and latency with {@code --publishers} connections, each sending
 *       {@code --messages} messages of 64 bytes one after the other (the next when the PUBACK comes);</li>
 *   <li>resident memory per idle TLS connection: the server's RSS before and after opening
 *       {@code --idle} connections.</li>
 * </ol>
 * Run with a raised file-descriptor limit:
 * {@code bash -c 'ulimit -n 65536; java -cp "bench/target/classes:bench/target/lib/*" dev.holdfast.bench.hub.MqttLoadHarness --idle 2000'};
 * {@code -Dholdfast.sink=memory} acknowledges telemetry without storing it (the network path alone).
 */
public final class MqttLoadHarness {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final List<SslContext> contexts = new ArrayList<>();
    private final int sources;

    private MqttLoadHarness(Path dir, int devices, int sources, List<X509Certificate> roots) throws Exception {
        this.sources = sources;
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        KeyFactory kf = KeyFactory.getInstance("EC");
        for (int i = 0; i < devices; i++) {
            Path base = dir.resolve("devices").resolve("bench-" + i);
            PrivateKey key = kf.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(Path.of(base + ".key"))));
            List<X509Certificate> chain = new ArrayList<>();
            for (var c : cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(Path.of(base + ".crt"))))) chain.add((X509Certificate) c);
            contexts.add(SslContextBuilder.forClient().sslProvider(SslProvider.JDK).keyManager(key, chain.toArray(X509Certificate[]::new))
                    .trustManager(roots.toArray(X509Certificate[]::new)).protocols(TlsPolicy.protocols())
                    .ciphers(Arrays.asList(TlsPolicy.cipherSuites()), io.netty.handler.ssl.SupportedCipherSuiteFilter.INSTANCE).build());
        }
    }

    /** One client connection. */
    private final class Conn extends SimpleChannelInboundHandler<MqttMessage> {
        final int index;
        final CompletableFuture<Conn> connected = new CompletableFuture<>();
        Channel channel;
        long[] latencies;
        int sent;
        long sentAt;
        CountDownLatch done;
        final byte[] payload = new byte[64];

        Conn(int index) {
            this.index = index;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e) {
                if (!e.isSuccess()) {
                    connected.completeExceptionally(e.cause());
                    ctx.close();
                    return;
                }
                String id = "bench-" + index;
                ctx.writeAndFlush(MqttMessageBuilders.connect().clientId(id).username("127.0.0.1/" + id + "/?api-version=2021-04-12")
                        .protocolVersion(MqttVersion.MQTT_3_1_1).keepAlive(600).cleanSession(true).build());
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
            if (m.fixedHeader().messageType() == MqttMessageType.CONNACK) {
                MqttConnectReturnCode code = ((MqttConnAckMessage) m).variableHeader().connectReturnCode();
                if (code == MqttConnectReturnCode.CONNECTION_ACCEPTED) connected.complete(this);
                else connected.completeExceptionally(new IllegalStateException("CONNACK " + code));
            } else if (m.fixedHeader().messageType() == MqttMessageType.PUBACK) {
                int pid = ((MqttPubAckMessage) m).variableHeader().messageId();
                if (pid == sent) {
                    latencies[sent - 1] = System.nanoTime() - sentAt;
                    if (sent < latencies.length) publishNext();
                    else done.countDown();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            connected.completeExceptionally(new IllegalStateException("connection closed"));
            if (done != null && sent < latencies.length) done.countDown();
        }

        void publishNext() {
            sent++;
            sentAt = System.nanoTime();
            channel.writeAndFlush(MqttMessageBuilders.publish().topicName("devices/bench-" + index + "/messages/events/")
                    .qos(MqttQoS.AT_LEAST_ONCE).retained(false).messageId(sent).payload(Unpooled.wrappedBuffer(payload)).build());
        }
    }

    private CompletableFuture<Conn> open(int port, int index) {
        Conn c = new Conn(index);
        SslContext ssl = contexts.get(index);
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", port)).addLast(new MqttDecoder()).addLast(MqttEncoder.INSTANCE).addLast(c);
                    }
                });
        InetSocketAddress local = new InetSocketAddress("127.0.0." + (2 + index % sources), 0);
        b.connect(new InetSocketAddress("127.0.0.1", port), local).addListener(f -> {
            if (!f.isSuccess()) c.connected.completeExceptionally(f.cause());
            else c.channel = ((io.netty.channel.ChannelFuture) f).channel();
        });
        return c.connected;
    }

    /** Opens {@code n} connections with at most {@code concurrency} handshakes in flight; returns them and the elapsed nanos. */
    private List<Conn> openAll(int port, int n, int concurrency, long[] elapsed) throws Exception {
        Semaphore permits = new Semaphore(concurrency);
        List<CompletableFuture<Conn>> all = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            permits.acquire();
            CompletableFuture<Conn> f = open(port, i);
            f.whenComplete((c, e) -> permits.release());
            all.add(f);
        }
        List<Conn> out = new ArrayList<>();
        int failed = 0;
        for (CompletableFuture<Conn> f : all) {
            try {
                out.add(f.get(120, TimeUnit.SECONDS));
            } catch (Exception e) {
                failed++;
            }
        }
        elapsed[0] = System.nanoTime() - t0;
        if (failed > 0) System.out.println("    " + failed + " of " + n + " connections failed");
        return out;
    }

    private static void closeAll(List<Conn> conns) {
        for (Conn c : conns) if (c.channel != null) c.channel.close();
        for (Conn c : conns) if (c.channel != null) c.channel.closeFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    record Result(double handshakesPerSecond, double messagesPerSecond, double p50Millis, double p99Millis, double kbPerIdleConnection) {
    }

    private Result run(String name, int port, long pid, int connections, int concurrency, int publishers, int messages, int idle) throws Exception {
        System.out.println("== " + name + " (port " + port + ", pid " + pid + ")");
        long[] elapsed = new long[1];
        // warm-up: JIT on both sides
        closeAll(openAll(port, Math.min(100, connections), concurrency, elapsed));
        List<Conn> warm = openAll(port, Math.min(100, publishers), concurrency, elapsed);
        publishRound(warm, 50);
        closeAll(warm);
        List<Conn> hs = openAll(port, connections, concurrency, elapsed);
        double hps = hs.size() / (elapsed[0] / 1e9);
        System.out.printf("    handshakes: %d in %.2f s = %.0f/s%n", hs.size(), elapsed[0] / 1e9, hps);
        closeAll(hs);

        List<Conn> pubs = openAll(port, publishers, concurrency, elapsed);
        long took = publishRound(pubs, messages);
        long[] all = pubs.stream().flatMapToLong(c -> Arrays.stream(c.latencies)).filter(l -> l > 0).sorted().toArray();
        double mps = all.length / (took / 1e9);
        double p50 = all.length == 0 ? Double.NaN : all[all.length / 2] / 1e6;
        double p99 = all.length == 0 ? Double.NaN : all[(int) Math.min(all.length - 1, Math.ceil(all.length * 0.99) - 1)] / 1e6;
        System.out.printf("    QoS 1: %d messages from %d publishers in %.2f s = %.0f msg/s, p50 %.2f ms, p99 %.2f ms%n",
                all.length, pubs.size(), took / 1e9, mps, p50, p99);
        closeAll(pubs);

        Thread.sleep(2000);
        long before = rssKb(pid);
        List<Conn> idleConns = openAll(port, idle, concurrency, elapsed);
        Thread.sleep(3000);
        long after = rssKb(pid);
        double kb = (after - before) / (double) Math.max(1, idleConns.size());
        System.out.printf("    idle: %d connections, RSS %d -> %d KiB = %.1f KiB per connection%n", idleConns.size(), before, after, kb);
        closeAll(idleConns);
        return new Result(hps, mps, p50, p99, kb);
    }

    /** Every connection sends {@code messages} QoS 1 messages, each after the previous one's PUBACK; returns the elapsed nanos. */
    private static long publishRound(List<Conn> conns, int messages) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(conns.size());
        for (Conn c : conns) {
            c.latencies = new long[messages];
            c.sent = 0;
            c.done = done;
        }
        long t0 = System.nanoTime();
        for (Conn c : conns) c.channel.eventLoop().execute(c::publishNext);
        if (!done.await(600, TimeUnit.SECONDS)) System.out.println("    publishing did not finish in 600 s");
        return System.nanoTime() - t0;
    }

    static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    public static void main(String[] args) throws Exception {
        Map<String, Integer> o = new java.util.HashMap<>(Map.of("connections", 1000, "concurrency", 32, "publishers", 1000, "messages", 20,
                "idle", 2000, "sources", 16));
        for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i].replaceFirst("^--", ""), Integer.parseInt(args[i + 1]));
        int devices = Math.max(o.get("connections"), Math.max(o.get("publishers"), o.get("idle")));
        Path dir = Files.createTempDirectory("hub-bench");
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, load average "
                + Files.readString(Path.of("/proc/loadavg")).strip() + "; options " + o + ", Holdfast telemetry sink "
                + System.getProperty("holdfast.sink", "store"));

        String java = ProcessHandle.current().info().command().orElse("java");
        Process holdfast = new ProcessBuilder(java, "-Xms512m", "-Xmx2g", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), HubBenchServer.class.getName(), dir.toString(), Integer.toString(devices),
                System.getProperty("holdfast.sink", "store"))
                .redirectError(dir.resolve("holdfast.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holdfast.getInputStream(), StandardCharsets.UTF_8));
        String ready;
        while ((ready = out.readLine()) != null && !ready.startsWith("READY")) {
            // skip
        }
        if (ready == null) throw new IllegalStateException("the Holdfast bench server did not start; see " + dir.resolve("holdfast.log"));
        String[] r = ready.split(" ");
        int hubPort = Integer.parseInt(r[1]);
        long hubPid = Long.parseLong(r[2]);

        int mqPort;
        try (ServerSocket s = new ServerSocket(0)) {
            mqPort = s.getLocalPort();
        }
        Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n",
                "per_listener_settings false", "user root", "persistence false", "log_dest stderr", "log_type error", "max_keepalive 65535",
                "listener " + mqPort + " 127.0.0.1", "cafile " + dir.resolve("devices-ca.pem"), "certfile " + dir.resolve("server.crt"),
                "keyfile " + dir.resolve("server.key"), "require_certificate true", "use_identity_as_username true", "") );
        Process mosquitto = new ProcessBuilder("bash", "-c", "ulimit -n 65536; exec mosquitto -c " + dir.resolve("mosquitto.conf"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        Thread.sleep(1000);
        if (!mosquitto.isAlive()) throw new IllegalStateException("mosquitto did not start: " + Files.readString(dir.resolve("mosquitto.log")));

        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> roots = new ArrayList<>();
        for (var c : cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("ca.pem"))))) roots.add((X509Certificate) c);
        MqttLoadHarness h = new MqttLoadHarness(dir, devices, o.get("sources"), roots);
        try {
            Result hf = h.run("Holdfast hub", hubPort, hubPid, o.get("connections"), o.get("concurrency"), o.get("publishers"), o.get("messages"), o.get("idle"));
            Result mq = h.run("Mosquitto", mqPort, mosquitto.pid(), o.get("connections"), o.get("concurrency"), o.get("publishers"), o.get("messages"), o.get("idle"));
            System.out.println();
            System.out.println("| measure | Holdfast | Mosquitto | ratio |");
            System.out.println("|---|---|---|---|");
            System.out.printf("| full handshakes/s | %.0f | %.0f | %.2f |%n", hf.handshakesPerSecond(), mq.handshakesPerSecond(), hf.handshakesPerSecond() / mq.handshakesPerSecond());
            System.out.printf("| QoS 1 msg/s (%d publishers) | %.0f | %.0f | %.2f |%n", o.get("publishers"), hf.messagesPerSecond(), mq.messagesPerSecond(), hf.messagesPerSecond() / mq.messagesPerSecond());
            System.out.printf("| publish latency p50 / p99 (ms) | %.2f / %.2f | %.2f / %.2f | |%n", hf.p50Millis(), hf.p99Millis(), mq.p50Millis(), mq.p99Millis());
            System.out.printf("| RSS per idle TLS connection (KiB, %d conns) | %.1f | %.1f | |%n", o.get("idle"), hf.kbPerIdleConnection(), mq.kbPerIdleConnection());
        } finally {
            h.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            holdfast.getOutputStream().close();
            if (!holdfast.waitFor(20, TimeUnit.SECONDS)) holdfast.destroyForcibly();
            mosquitto.destroy();
            mosquitto.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
