package dev.holdfast.events.export;

import dev.holdfast.events.EventClass;
import dev.holdfast.events.EventLog;
import dev.holdfast.events.EventQuery;
import dev.holdfast.events.SecurityEvent;
import dev.holdfast.events.Severity;
import dev.holdfast.events.StoredEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Runs each exporter on a thread of its own: it reads the event log after the exporter's durable
 * cursor, skips what the exporter's filter rejects, delivers the rest in batches, and moves the cursor
 * only as far as the exporter confirms delivery. Delivery is therefore at-least-once: after a failure
 * or a restart, everything after the cursor is sent again (see {@code docs/events.md} for the bound).
 *
 * <p>A failure is followed by a wait that doubles from the exporter's initial backoff up to its cap,
 * with ±20 % jitter so that exporters to one collector do not retry in step. Events stay in the log
 * meanwhile, so an outage loses nothing as long as it is shorter than the log's retention.
 *
 * <p>Changes of an exporter's health (failing, recovered) are themselves security events. They are
 * emitted only on a change of state, never per retry, so an exporter that fails on its own state
 * events cannot feed a loop: one outage yields one {@code exporter.failing} and one
 * {@code exporter.recovered}.
 */
public final class ExportPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExportPipeline.class);
    /** The activity prefix of the pipeline's own events. */
    public static final String ACTIVITY_PREFIX = "exporter.";

    private final EventLog events;
    private final ExportCursors cursors;
    private final LongSupplier lastSequence;
    private final MeterRegistry metrics;
    private final Duration idlePoll;
    private volatile Duration gapSettle = Duration.ofSeconds(5);
    private final List<Runner> runners = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private volatile boolean closed;

    /**
     * @param lastSequence the log's highest sequence number, for the lag metric
     * @param idlePoll     how long an idle exporter waits before it looks again when not woken by {@link #wake}
     */
    public ExportPipeline(EventLog events, ExportCursors cursors, LongSupplier lastSequence, MeterRegistry metrics, Duration idlePoll) {
        this.events = events;
        this.cursors = cursors;
        this.lastSequence = lastSequence;
        this.metrics = metrics;
        this.idlePoll = idlePoll;
    }

    /**
     * How long a hole in the sequence numbers is waited for before it is passed over. On PostgreSQL
     * concurrent appends may commit out of sequence order, so a missing number may still arrive;
     * a rolled-back append or retention leaves a hole that never fills. Default 5 s.
     */
    public void gapSettle(Duration settle) {
        this.gapSettle = settle;
    }

    /** Adds and starts an exporter. {@code type} names its transport in metrics and status. */
    public synchronized void add(ExporterSpec spec, String type, Exporter exporter) {
        if (closed) throw new IllegalStateException("pipeline closed");
        for (Runner r : runners) {
            if (r.spec.name().equals(spec.name())) throw new IllegalArgumentException("name: " + spec.name() + " (expected: unique among exporters)");
        }
        Runner r = new Runner(spec, type, exporter);
        runners.add(r);
        r.thread = Thread.ofVirtual().name("exporter-" + spec.name()).start(r::run);
    }

    /** Tells idle exporters that events were appended; cheap, callable from the append path. */
    public void wake() {
        if (lock.tryLock()) {
            try {
                appended.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    public synchronized List<ExporterStatus> status() {
        return runners.stream().map(Runner::status).toList();
    }

    /** Stops every exporter after its batch in flight, giving each a few seconds to confirm what it sent. */
    @Override
    public void close() {
        List<Runner> all;
        synchronized (this) {
            closed = true;
            all = List.copyOf(runners);
        }
        for (Runner r : all) r.running = false;
        lock.lock();
        try {
            appended.signalAll();
        } finally {
            lock.unlock();
        }
        for (Runner r : all) {
            try {
                if (!r.thread.join(Duration.ofSeconds(15))) {
                    r.thread.interrupt();
                    r.thread.join(Duration.ofSeconds(2));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class Runner {
        final ExporterSpec spec;
        final String type;
        final Exporter exporter;
        volatile boolean running = true;
        Thread thread;
        final AtomicLong committed = new AtomicLong();
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        volatile ExporterStatus.State state = ExporterStatus.State.STARTING;
        volatile String lastError;
        volatile Instant failingSince;
        /** Batches sent and not yet confirmed: {read end, last sent sequence or -1 when all were filtered out}. */
        final ArrayDeque<long[]> pending = new ArrayDeque<>();
        final Counter deliveredCounter;
        final Counter failureCounter;
        final Counter skippedCounter;

        Runner(ExporterSpec spec, String type, Exporter exporter) {
            this.spec = spec;
            this.type = type;
            this.exporter = exporter;
            Tags tags = Tags.of("exporter", spec.name(), "type", type);
            deliveredCounter = Counter.builder("holdfast.events.exporter.delivered").tags(tags)
                    .description("Events handed to the destination (re-sends included)").register(metrics);
            failureCounter = Counter.builder("holdfast.events.exporter.failures").tags(tags)
                    .description("Failed deliveries (each followed by a backoff)").register(metrics);
            skippedCounter = Counter.builder("holdfast.events.exporter.skipped").tags(tags)
                    .description("Events passed over by the exporter's class and severity filter").register(metrics);
            Gauge.builder("holdfast.events.exporter.lag", this, r -> Math.max(0, lastSequence.getAsLong() - r.committed.get()))
                    .tags(tags).description("Events appended after the exporter's durable cursor").register(metrics);
            Gauge.builder("holdfast.events.exporter.healthy", this, r -> r.state == ExporterStatus.State.FAILING ? 0 : 1)
                    .tags(tags).description("1 while the exporter delivers, 0 while it is failing").register(metrics);
            Gauge.builder("holdfast.events.exporter.cursor", this, r -> r.committed.get())
                    .tags(tags).description("The last sequence number known delivered").register(metrics);
        }

        ExporterStatus status() {
            return new ExporterStatus(spec.name(), type, state, committed.get(),
                    Math.max(0, lastSequence.getAsLong() - committed.get()), delivered.get(), failures.get(),
                    Optional.ofNullable(lastError), Optional.ofNullable(failingSince));
        }

        void run() {
            try {
                committed.set(cursors.load(spec.name()));
            } catch (RuntimeException e) {
                log.error("exporter {}: cannot read its cursor; not started", spec.name(), e);
                state = ExporterStatus.State.STOPPED;
                return;
            }
            long sent = committed.get();
            int consecutiveFailures = 0;
            while (running) {
                try {
                    List<StoredEvent> batch = events.read(EventQuery.all(spec.batchSize()).after(sent));
                    if (batch.isEmpty()) {
                        confirmed(exporter.confirm());
                        healthy();
                        consecutiveFailures = 0;
                        idle();
                        continue;
                    }
                    batch = untilGap(batch, sent);
                    if (batch.isEmpty()) {
                        confirmed(exporter.confirm());
                        idle();
                        continue;
                    }
                    List<StoredEvent> wanted = new ArrayList<>(batch.size());
                    for (StoredEvent e : batch) if (spec.accepts(e.event())) wanted.add(e);
                    long readEnd = batch.get(batch.size() - 1).sequence();
                    skippedCounter.increment(batch.size() - wanted.size());
                    if (wanted.isEmpty()) {
                        pending.add(new long[]{readEnd, -1});
                        confirmed(exporter.confirm());
                    } else {
                        pending.add(new long[]{readEnd, wanted.get(wanted.size() - 1).sequence()});
                        long upTo = exporter.send(wanted);
                        delivered.addAndGet(wanted.size());
                        deliveredCounter.increment(wanted.size());
                        confirmed(upTo);
                    }
                    sent = readEnd;
                    healthy();
                    consecutiveFailures = 0;
                } catch (Exception e) {
                    if (!running && e instanceof InterruptedException) break;
                    consecutiveFailures++;
                    failures.incrementAndGet();
                    failureCounter.increment();
                    failing(e);
                    exporter.reset();
                    pending.clear();
                    sent = committed.get();
                    backoff(consecutiveFailures);
                }
            }
            try {
                if (state != ExporterStatus.State.FAILING) confirmed(exporter.drain());
            } catch (Exception e) {
                log.debug("exporter {}: drain on stop failed: {}", spec.name(), e.toString());
            }
            exporter.close();
            state = ExporterStatus.State.STOPPED;
        }

        private long gapAfter = -1;
        private long gapSeenAt;

        /**
         * The batch up to the first hole in the sequence numbers after {@code sent}, unless that hole has
         * been there for {@link #gapSettle} already (then it is taken as permanent).
         */
        private List<StoredEvent> untilGap(List<StoredEvent> batch, long sent) {
            long expected = sent + 1;
            for (int i = 0; i < batch.size(); i++) {
                long seq = batch.get(i).sequence();
                if (seq != expected) {
                    long before = expected - 1;
                    if (gapAfter != before) {
                        gapAfter = before;
                        gapSeenAt = System.nanoTime();
                    }
                    if (System.nanoTime() - gapSeenAt >= gapSettle.toNanos()) {
                        expected = seq + 1; // settled: the missing numbers will not come
                        continue;
                    }
                    return batch.subList(0, i);
                }
                expected = seq + 1;
            }
            return batch;
        }

        /** Moves the durable cursor over every batch whose last sent event is confirmed. */
        private void confirmed(long upTo) {
            long newCursor = -1;
            while (!pending.isEmpty()) {
                long[] head = pending.peekFirst();
                if (head[1] == -1 || head[1] <= upTo) {
                    newCursor = head[0];
                    pending.pollFirst();
                } else {
                    break;
                }
            }
            if (newCursor > committed.get()) {
                cursors.store(spec.name(), newCursor);
                committed.set(newCursor);
            }
        }

        private void healthy() {
            ExporterStatus.State before = state;
            if (before == ExporterStatus.State.HEALTHY) return;
            state = ExporterStatus.State.HEALTHY;
            if (before == ExporterStatus.State.FAILING) {
                Duration down = Duration.between(failingSince, Instant.now());
                log.info("exporter {} recovered after {}", spec.name(), down);
                emit(SecurityEvent.builder(EventClass.API_ACTIVITY, ACTIVITY_PREFIX + "recovered").source("events")
                        .message("exporter " + spec.name() + " delivers again after " + down.toSeconds() + " s")
                        .detail("exporter", spec.name()).detail("type", type).detail("failures", failures.get()).build());
                failingSince = null;
            }
        }

        private void failing(Exception e) {
            lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (state == ExporterStatus.State.FAILING) {
                log.debug("exporter {} still failing: {}", spec.name(), lastError);
                return;
            }
            state = ExporterStatus.State.FAILING;
            failingSince = Instant.now();
            log.warn("exporter {} ({}) is failing; events wait in the log: {}", spec.name(), type, lastError);
            emit(SecurityEvent.builder(EventClass.API_ACTIVITY, ACTIVITY_PREFIX + "failing").source("events")
                    .outcome(SecurityEvent.Outcome.FAILURE).severity(Severity.MEDIUM)
                    .message("exporter " + spec.name() + " cannot deliver: " + lastError)
                    .detail("exporter", spec.name()).detail("type", type).build());
        }

        private void emit(SecurityEvent e) {
            try {
                events.append(e);
            } catch (RuntimeException ex) {
                log.warn("exporter {}: cannot record its state change", spec.name(), ex);
            }
        }

        private void idle() throws InterruptedException {
            lock.lock();
            try {
                if (running) appended.await(idlePoll.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                lock.unlock();
            }
        }

        private void backoff(int failuresInARow) {
            long initial = spec.initialBackoff().toMillis();
            long cap = spec.maxBackoff().toMillis();
            long wait = initial << Math.min(failuresInARow - 1, 30);
            if (wait <= 0 || wait > cap) wait = cap;
            wait = (long) (wait * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
            lock.lock();
            try {
                // Not woken by appends: only close() signals while running is false.
                while (running) {
                    long left = until - System.nanoTime();
                    if (left <= 0) break;
                    appended.awaitNanos(left);
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                running = false;
            } finally {
                lock.unlock();
            }
        }
    }
}
