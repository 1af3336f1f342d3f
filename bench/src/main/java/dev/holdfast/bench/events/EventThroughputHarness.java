package dev.holdfast.bench.events;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.events.export.ExportCursors;
import dev.holdfast.events.export.ExportPipeline;
import dev.holdfast.events.export.ExportTls;
import dev.holdfast.events.export.ExporterSpec;
import dev.holdfast.events.export.KafkaExporter;
import dev.holdfast.events.export.SyslogTlsExporter;
import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import dev.holdfast.testing.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Security events per second: appended to the log (one transaction per event, or batches), and
 * exported by the syslog/TLS and Kafka exporters on loopback.
 *
 * <pre>
 * java -cp "bench/target/holdfast-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" dev.holdfast.bench.events.EventThroughputHarness \
 *      MODE [--events 200000] [--threads 4] [--batch 500] [--dir DIR]
 * </pre>
 * MODE is {@code append} (each event its own transaction, from {@code --threads} threads),
 * {@code append-batch} ({@link JdbcEventLog#appendAll} in batches of {@code --batch}), {@code syslog}
 * (the log is filled first, then the exporter sends everything to a TLS sink on loopback that reads
 * the RFC 5425 frames and counts them; the time ends when the cursor covers the last event) or
 * {@code kafka} (the same to a one-node KRaft broker, acks=all).
 */
public final class EventThroughputHarness {
    private EventThroughputHarness() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "append";
        int events = 200_000;
        int threads = 4;
        int batch = 500;
        Path dir = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (dir == null) dir = Files.createTempDirectory("holdfast-events-bench");
        System.out.printf("mode=%s events=%d threads=%d batch=%d cores=%d dir=%s%n", mode, events, threads, batch,
                Runtime.getRuntime().availableProcessors(), dir);
        try (Database db = Database.open(StoreConfig.embedded(dir.resolve("data"))); JdbcEventLog log = new JdbcEventLog(db)) {
            switch (mode) {
                case "append" -> append(log, events, threads);
                case "append-batch" -> appendBatch(log, events, threads, batch);
                case "syslog" -> syslog(db, log, events, batch, dir);
                case "kafka" -> kafka(db, log, events, batch, dir);
                default -> throw new IllegalArgumentException("mode " + mode + " (expected: append, append-batch, syslog, kafka)");
            }
        }
    }

    static SecurityEvent event(int i) {
        return SecurityEvent.builder(EventClass.AUTHENTICATION, "mqtt.connect.refused").outcome(SecurityEvent.Outcome.FAILURE)
                .severity(Severity.MEDIUM).device("device-" + (i % 10_000)).actor("hub").source("hub")
                .message("certificate not yet valid for device-" + (i % 10_000)).detail("sourceAddress", "10.1." + (i % 250) + ".7")
                .detail("tlsVersion", "TLSv1.3").build();
    }

    private static void append(JdbcEventLog log, int events, int threads) throws InterruptedException {
        int per = events / threads;
        List<Thread> ts = new ArrayList<>();
        cpuMark = cpuNanos();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int base = t * per;
            ts.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < per; i++) log.append(event(base + i));
            }));
        }
        for (Thread t : ts) t.join();
        report("appended (one transaction each)", (long) per * threads, System.nanoTime() - t0);
    }

    private static void appendBatch(JdbcEventLog log, int events, int threads, int batch) throws InterruptedException {
        int per = events / threads;
        List<Thread> ts = new ArrayList<>();
        cpuMark = cpuNanos();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int base = t * per;
            ts.add(Thread.ofPlatform().start(() -> {
                List<SecurityEvent> b = new ArrayList<>(batch);
                for (int i = 0; i < per; i++) {
                    b.add(event(base + i));
                    if (b.size() == batch) {
                        log.appendAll(b);
                        b.clear();
                    }
                }
                if (!b.isEmpty()) log.appendAll(b);
            }));
        }
        for (Thread t : ts) t.join();
        report("appended (batches of " + batch + ")", (long) per * threads, System.nanoTime() - t0);
    }

    private static void fill(JdbcEventLog log, int events) {
        List<SecurityEvent> b = new ArrayList<>(1000);
        for (int i = 0; i < events; i++) {
            b.add(event(i));
            if (b.size() == 1000) {
                log.appendAll(b);
                b.clear();
            }
        }
        if (!b.isEmpty()) log.appendAll(b);
    }

    private static void syslog(Database db, JdbcEventLog log, int events, int batch, Path dir) throws Exception {
        fill(log, events);
        TestCertificates.Root root = TestCertificates.newRoot("bench root");
        TestCertificates.Issued cert = root.issueServer("localhost", "127.0.0.1");
        SSLServerSocket server = (SSLServerSocket) TlsPolicy.sslContext(cert.key(), cert.chainArray(), List.of())
                .getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress());
        server.setSSLParameters(TlsPolicy.apply(server.getSSLParameters()));
        AtomicLong frames = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        Thread sink = Thread.ofPlatform().start(() -> {
            while (!server.isClosed()) {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    InputStream in = new BufferedInputStream(s.getInputStream(), 1 << 16);
                    while (true) {
                        int len = 0;
                        int c;
                        while ((c = in.read()) != ' ') {
                            if (c < 0) throw new IOException("eof");
                            len = len * 10 + (c - '0');
                        }
                        in.skipNBytes(len);
                        bytes.addAndGet(len);
                        frames.incrementAndGet();
                    }
                } catch (IOException endOfConnection) {
                    // next connection, or closed
                }
            }
        });
        ExportPipeline pipeline = new ExportPipeline(log, new ExportCursors(db), log::lastSequence, new SimpleMeterRegistry(), Duration.ofMillis(50));
        ExportTls tls = new ExportTls(TlsPolicy.clientContext(List.of(root.certificate())), TlsPolicy::apply);
        cpuMark = cpuNanos();
        long t0 = System.nanoTime();
        pipeline.add(ExporterSpec.named("bench").withBatchSize(batch), "syslog",
                new SyslogTlsExporter("localhost", server.getLocalPort(), tls, 10, "bench", Duration.ofMillis(200), Duration.ofSeconds(5), "bench"));
        long last = log.lastSequence();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (frames.get() < events && System.nanoTime() < deadline) Thread.sleep(5);
        long received = System.nanoTime() - t0;
        while (pipeline.status().get(0).cursor() < last && System.nanoTime() < deadline) Thread.sleep(5);
        long confirmed = System.nanoTime() - t0;
        pipeline.close();
        server.close();
        sink.join(5000);
        report("received by the TLS sink", frames.get(), received);
        report("confirmed (cursor at the last event, incl. the 200 ms confirmation delay)", events, confirmed);
        System.out.printf("bytes on the wire (payload) %.1f MB, %.0f bytes/event%n", bytes.get() / 1e6, bytes.get() / (double) Math.max(1, frames.get()));
    }

    private static void kafka(Database db, JdbcEventLog log, int events, int batch, Path dir) throws Exception {
        fill(log, events);
        try (KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).setBaseDirectory(dir.resolve("kafka")).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                .build()) {
            kafka.format();
            kafka.startup();
            kafka.waitForReadyBrokers();
            // Created up front so that topic creation is not in the timed part.
            kafka.admin().createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("events", 3, (short) 1))).all().get();
            ExportPipeline pipeline = new ExportPipeline(log, new ExportCursors(db), log::lastSequence, new SimpleMeterRegistry(), Duration.ofMillis(50));
            long last = log.lastSequence();
            cpuMark = cpuNanos();
            long t0 = System.nanoTime();
            pipeline.add(ExporterSpec.named("bench").withBatchSize(batch), "kafka",
                    new KafkaExporter(kafka.bootstrapServers(), "events", Map.of(), Duration.ofSeconds(60)));
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (pipeline.status().get(0).cursor() < last && System.nanoTime() < deadline) Thread.sleep(5);
            long took = System.nanoTime() - t0;
            pipeline.close();
            report("acknowledged by the broker (acks=all, cursor at the last event)", events, took);
        }
    }

    private static long cpuMark = cpuNanos();

    /** This process's CPU time: on a shared machine, the cost per event says more than the wall clock. */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void report(String what, long n, long nanos) {
        long cpu = cpuNanos() - cpuMark;
        System.out.printf("%s: %d events in %.2f s = %.0f events/s; process CPU %.2f s = %.1f us/event (%.0f events per CPU-second)%n",
                what, n, nanos / 1e9, n / (nanos / 1e9), cpu / 1e9, cpu / 1e3 / n, n / (cpu / 1e9));
    }
}
