package dev.holdfast.events.export;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventLog;
import dev.holdfast.events.EventQuery;
import dev.holdfast.events.EventSubscription;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.StoredEvent;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The pipeline's own rules, over an in-memory log whose sequence numbers the test controls. */
class ExportPipelineTest {
    @TempDir
    Path dir;

    /** A log that holds exactly the sequence numbers it is given, as a PostgreSQL log may while transactions commit. */
    static final class ScriptedLog implements EventLog {
        final List<StoredEvent> events = new CopyOnWriteArrayList<>();
        final AtomicInteger appendedByPipeline = new AtomicInteger();
        long next = 1000;

        void put(long seq) {
            events.add(new StoredEvent(seq, SecurityEvent.builder(EventClass.API_ACTIVITY, "test." + seq).build()));
        }

        @Override
        public synchronized long append(SecurityEvent e) {
            appendedByPipeline.incrementAndGet();
            events.add(new StoredEvent(++next, e));
            return next;
        }

        @Override
        public List<StoredEvent> read(EventQuery q) {
            return events.stream().filter(e -> e.sequence() > q.afterSequence())
                    .sorted(java.util.Comparator.comparingLong(StoredEvent::sequence)).limit(q.limit()).toList();
        }

        @Override
        public EventSubscription subscribe(Predicate<SecurityEvent> filter, Consumer<StoredEvent> subscriber) {
            return () -> { };
        }

        @Override
        public int enforceRetention(Duration retention) {
            return 0;
        }
    }

    static final class Recording implements Exporter {
        final List<Long> received = new CopyOnWriteArrayList<>();
        final AtomicInteger failuresLeft = new AtomicInteger();

        @Override
        public long send(List<StoredEvent> batch) throws IOException {
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) throw new IOException("collector unreachable");
            for (StoredEvent e : batch) received.add(e.sequence());
            return batch.get(batch.size() - 1).sequence();
        }

        @Override
        public void close() {
        }
    }

    private ExportPipeline pipeline(ScriptedLog log, Database db) {
        return new ExportPipeline(log, new ExportCursors(db), () -> 0, new SimpleMeterRegistry(), Duration.ofMillis(50));
    }

    @Test
    void aHoleInTheSequence_isWaitedForWhileItMayStillFill() throws Exception {
        ScriptedLog log = new ScriptedLog();
        log.put(1);
        log.put(2);
        log.put(4);
        Recording exporter = new Recording();
        try (Database db = Database.open(StoreConfig.embedded(dir)); ExportPipeline p = pipeline(log, db)) {
            p.gapSettle(Duration.ofSeconds(30));
            p.add(ExporterSpec.named("x"), "test", exporter);
            await().atMost(Duration.ofSeconds(10)).until(() -> exporter.received.size() == 2);
            Thread.sleep(300);
            assertThat(exporter.received).containsExactly(1L, 2L);
            log.put(3); // the late commit
            await().atMost(Duration.ofSeconds(10)).until(() -> exporter.received.size() == 4);
            assertThat(exporter.received).containsExactly(1L, 2L, 3L, 4L);
        }
    }

    @Test
    void aHoleThatNeverFills_isPassedOverAfterTheSettleTime() throws Exception {
        ScriptedLog log = new ScriptedLog();
        log.put(1);
        log.put(3);
        Recording exporter = new Recording();
        try (Database db = Database.open(StoreConfig.embedded(dir)); ExportPipeline p = pipeline(log, db)) {
            p.gapSettle(Duration.ofMillis(300));
            p.add(ExporterSpec.named("x"), "test", exporter);
            await().atMost(Duration.ofSeconds(10)).until(() -> exporter.received.size() == 2);
            assertThat(exporter.received).containsExactly(1L, 3L);
        }
    }

    @Test
    void failures_backOffAndRecover_withOneStateEventEachWay_andTheCursorSurvivesARestart() throws Exception {
        ScriptedLog log = new ScriptedLog();
        for (long s = 1; s <= 10; s++) log.put(s);
        Recording exporter = new Recording();
        exporter.failuresLeft.set(4);
        try (Database db = Database.open(StoreConfig.embedded(dir))) {
            try (ExportPipeline p = pipeline(log, db)) {
                p.add(ExporterSpec.named("x").withBackoff(Duration.ofMillis(20), Duration.ofMillis(100)), "test", exporter);
                await().atMost(Duration.ofSeconds(10)).until(() -> exporter.received.contains(10L));
                await().atMost(Duration.ofSeconds(10)).until(() -> p.status().get(0).cursor() >= 10);
                assertThat(p.status().get(0).failures()).isEqualTo(4);
            }
            List<String> activities = new ArrayList<>();
            for (StoredEvent e : log.events) if (e.sequence() > 1000) activities.add(e.event().activity());
            assertThat(activities).containsExactly("exporter.failing", "exporter.recovered");
            assertThat(new ExportCursors(db).load("x")).isGreaterThanOrEqualTo(10);

            // A restart resumes after the cursor: nothing before it is sent again.
            Recording second = new Recording();
            log.put(11);
            try (ExportPipeline p = pipeline(log, db)) {
                p.add(ExporterSpec.named("x"), "test", second);
                await().atMost(Duration.ofSeconds(10)).until(() -> second.received.contains(11L));
            }
            assertThat(second.received).doesNotContainAnyElementsOf(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L));
        }
    }
}
