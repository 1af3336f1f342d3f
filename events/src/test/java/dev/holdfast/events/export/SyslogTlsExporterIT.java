package dev.holdfast.events.export;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventQuery;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.events.StoredEvent;
import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import dev.holdfast.testing.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The syslog exporter against a real rsyslogd with the GnuTLS driver, on loopback. */
class SyslogTlsExporterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONFIRM_DELAY = Duration.ofMillis(700);
    private static final int BATCH = 50;

    @TempDir
    Path dir;

    /** One Holdfast instance: its store, log and exporter pipeline; closed and reopened to model a restart. */
    private final class Instance implements AutoCloseable {
        final Database db = Database.open(StoreConfig.embedded(dir.resolve("data")));
        final JdbcEventLog log = new JdbcEventLog(db);
        final ExportPipeline pipeline;

        Instance(RsyslogReceiver receiver, TestCertificates.Root root) throws Exception {
            pipeline = new ExportPipeline(log, new ExportCursors(db), log::lastSequence, new SimpleMeterRegistry(), Duration.ofMillis(200));
            log.onAppended(seq -> pipeline.wake());
            SyslogTlsExporter exporter = new SyslogTlsExporter("localhost", receiver.port, ExportTestSupport.clientTls(root), 10,
                    "holdfast-test", CONFIRM_DELAY, Duration.ofSeconds(3), "0.1.0");
            pipeline.add(ExporterSpec.named("siem").withBatchSize(BATCH).withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1)),
                    "syslog", exporter);
        }

        @Override
        public void close() {
            pipeline.close();
            log.close();
            db.close();
        }
    }

    private static SecurityEvent tricky(int i) {
        return SecurityEvent.builder(EventClass.AUTHENTICATION, "mqtt.connect.refused")
                .outcome(SecurityEvent.Outcome.FAILURE).severity(Severity.HIGH)
                .device("dev|=\\" + i).actor("op=1\\a|b")
                .message("pipe | equals = backslash \\ newline\nCR\r end ü #" + i)
                .detail("k", "v=|\\\n" + i).detail("plain", "x").source("hub").build();
    }

    /** rawmsg as rsyslog wrote it: {@code <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG}. */
    private static String[] syslogFields(String line) {
        String[] f = line.split(" ", 8);
        assertThat(f).hasSize(8);
        return f;
    }

    @Test
    void cefEvents_arriveAtRsyslogAndParseBackToTheOriginals() throws Exception {
        TestCertificates.Root root = TestCertificates.newRoot("syslog test root");
        try (RsyslogReceiver receiver = new RsyslogReceiver(dir.resolve("rsyslog"), root)) {
            receiver.start();
            Map<String, SecurityEvent> sent = new HashMap<>();
            try (Instance holdfast = new Instance(receiver, root)) {
                for (int i = 0; i < 20; i++) {
                    SecurityEvent e = tricky(i);
                    holdfast.log.append(e);
                    sent.put(e.id().toString(), e);
                }
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(receiver.lines()).hasSizeGreaterThanOrEqualTo(20));
            }
            for (String line : receiver.lines()) {
                String[] f = syslogFields(line);
                assertThat(f[0]).isEqualTo("<83>1"); // authpriv (10) × 8 + error (3)
                assertThat(f[2]).isEqualTo("holdfast-test");
                assertThat(f[3]).isEqualTo("holdfast");
                assertThat(f[5]).isEqualTo("OCSF3002");
                assertThat(f[6]).isEqualTo("-");
                CefParser cef = CefParser.parse(f[7]);
                SecurityEvent original = sent.get(cef.extensions().get("externalId"));
                assertThat(original).as("event %s was sent", cef.extensions().get("externalId")).isNotNull();
                assertThat(cef.header()).containsExactly("CEF:0", "Holdfast", "Holdfast", "0.1.0", "mqtt.connect.refused",
                        original.message().replace('\n', ' ').replace('\r', ' '), "8");
                assertThat(cef.extensions())
                        .containsEntry("msg", original.message())
                        .containsEntry("deviceExternalId", original.deviceId().orElseThrow())
                        .containsEntry("suser", original.actor())
                        .containsEntry("rt", Long.toString(original.time().toEpochMilli()))
                        .containsEntry("outcome", "failure")
                        .containsEntry("cat", "Authentication")
                        .containsEntry("cn1", "3002")
                        .containsEntry("cs1", "hub");
                assertThat(JSON.readValue(cef.extensions().get("cs3"), new TypeReference<Map<String, String>>() { }))
                        .isEqualTo(original.details());
            }
            assertThat(receiver.lines()).hasSize(20);
        }
    }

    @Test
    void receiverOutageAndHoldfastRestart_loseNothingAndDuplicateOnlyWithinTheBound() throws Exception {
        TestCertificates.Root root = TestCertificates.newRoot("syslog test root");
        try (RsyslogReceiver receiver = new RsyslogReceiver(dir.resolve("rsyslog"), root)) {
            receiver.start();
            int appended = 0;
            Instance holdfast = new Instance(receiver, root);
            try {
                appended += appendSteadily(holdfast, 100);
                await().atMost(Duration.ofSeconds(30)).until(() -> distinctIds(receiver).size() >= 100);

                // Receiver down while events keep coming, and while down, Holdfast restarts.
                receiver.stop();
                appended += appendSteadily(holdfast, 100);
                Instance before = holdfast;
                await().atMost(Duration.ofSeconds(10)).until(() -> before.pipeline.status().get(0).state() == ExporterStatus.State.FAILING);
                holdfast.close();
                holdfast = new Instance(receiver, root);
                appended += appendSteadily(holdfast, 100);
                Thread.sleep(1500);
                receiver.start();

                Instance running = holdfast;
                List<StoredEvent> all = running.log.read(EventQuery.all(10_000));
                assertThat(all).hasSizeGreaterThanOrEqualTo(appended + 1); // + exporter.failing
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                        assertThat(distinctIds(receiver)).containsAll(all.stream().map(e -> e.event().id().toString()).toList()));
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        running.log.read(EventQuery.all(10_000).withActivityPrefix("exporter.recovered")).size() == 1);
            } finally {
                holdfast.close();
            }
            List<String> lines = receiver.lines();
            Set<String> distinct = distinctIds(receiver);
            int duplicates = lines.size() - distinct.size();
            // Documented bound: per failure, what was written within the confirmation delay plus one batch.
            // Appends here run at 200/s, so one delay holds about 140 events; two failures (outage, restart).
            int bound = 2 * ((int) (200 * CONFIRM_DELAY.toMillis() / 1000) + BATCH);
            System.out.printf("syslog outage test: %d lines, %d distinct events, %d duplicates (bound %d)%n", lines.size(), distinct.size(), duplicates, bound);
            assertThat(duplicates).as("duplicates (bound %d)", bound).isBetween(0, bound);
        }
    }

    /** Appends {@code n} authentication failures at about 200 per second. */
    private static int appendSteadily(Instance holdfast, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            holdfast.log.append(tricky(i));
            Thread.sleep(5);
        }
        return n;
    }

    private static Set<String> distinctIds(RsyslogReceiver receiver) throws java.io.IOException {
        Set<String> ids = new HashSet<>();
        List<String> bad = new ArrayList<>();
        for (String line : receiver.lines()) {
            try {
                ids.add(CefParser.parse(syslogFields(line)[7]).extensions().get("externalId"));
            } catch (RuntimeException e) {
                bad.add(line);
            }
        }
        assertThat(bad).as("unparseable lines").isEmpty();
        return ids;
    }
}
