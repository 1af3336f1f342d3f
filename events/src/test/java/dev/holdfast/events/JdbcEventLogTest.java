package dev.holdfast.events;

import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import dev.holdfast.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class JdbcEventLogTest {
    @TempDir
    Path dir;

    private static StoreConfig config(TestDatabases.Kind kind, Path dir) {
        if (kind == TestDatabases.Kind.SQLITE) return StoreConfig.embedded(dir);
        TestDatabases.requirePostgres();
        return new StoreConfig(dir, Optional.of(TestDatabases.POSTGRES_URL), Optional.of(TestDatabases.POSTGRES_USER),
                Optional.empty(), Optional.of(TestDatabases.freshSchema()), 4);
    }

    private static SecurityEvent event(String activity, String device) {
        return SecurityEvent.builder(EventClass.ENTITY_MANAGEMENT, activity).device(device)
                .message("m|with=odd\\chars\n").detail("serial", "0a1b").build();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void append_thenReadReturnsEventsInOrderWithAllFields(TestDatabases.Kind kind) {
        try (Database db = Database.open(config(kind, dir)); JdbcEventLog log = new JdbcEventLog(db)) {
            SecurityEvent a = event("certificate.issued", "dev-1");
            long s1 = log.append(a);
            long s2 = log.append(event("certificate.revoked", "dev-2"));
            assertThat(s2).isGreaterThan(s1);
            List<StoredEvent> all = log.read(EventQuery.all(10));
            assertThat(all).hasSize(2);
            SecurityEvent back = all.get(0).event();
            assertThat(back.id()).isEqualTo(a.id());
            assertThat(back.time()).isEqualTo(Instant.ofEpochMilli(a.time().toEpochMilli()));
            assertThat(back.message()).isEqualTo(a.message());
            assertThat(back.details()).isEqualTo(a.details());
            assertThat(back.deviceId()).contains("dev-1");
            assertThat(log.read(EventQuery.all(10).withDevice("dev-2"))).extracting(e -> e.event().activity()).containsExactly("certificate.revoked");
            assertThat(log.read(EventQuery.all(10).withActivityPrefix("certificate.rev"))).hasSize(1);
            assertThat(log.read(EventQuery.all(10).withActivityPrefix("%"))).isEmpty();
            assertThat(log.read(EventQuery.all(10).after(s1))).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void subscribe_deliversOnlyMatchingEventsAfterTheyAreDurable(TestDatabases.Kind kind) {
        try (Database db = Database.open(config(kind, dir)); JdbcEventLog log = new JdbcEventLog(db)) {
            List<StoredEvent> got = new CopyOnWriteArrayList<>();
            try (var sub = log.subscribe(e -> e.activity().startsWith("certificate.revoked"), got::add)) {
                log.append(event("certificate.issued", "d"));
                log.append(event("certificate.revoked", "d"));
                await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
                assertThat(log.read(EventQuery.all(10).after(got.get(0).sequence() - 1))).isNotEmpty();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void enforceRetention_removesOnlyOldEvents(TestDatabases.Kind kind) {
        try (Database db = Database.open(config(kind, dir)); JdbcEventLog log = new JdbcEventLog(db)) {
            log.append(SecurityEvent.builder(EventClass.API_ACTIVITY, "old").time(Instant.now().minus(Duration.ofDays(100))).build());
            log.append(SecurityEvent.builder(EventClass.API_ACTIVITY, "new").build());
            assertThat(log.enforceRetention(Duration.ofDays(90))).isEqualTo(1);
            assertThat(log.read(EventQuery.all(10))).extracting(e -> e.event().activity()).containsExactly("new");
        }
    }

    @org.junit.jupiter.api.Test
    void uuidV7_isVersion7AndSortsByTime() {
        var a = UuidV7.at(Instant.ofEpochMilli(1000));
        var b = UuidV7.at(Instant.ofEpochMilli(2000));
        assertThat(a.version()).isEqualTo(7);
        assertThat(a.variant()).isEqualTo(2);
        assertThat(a.compareTo(b)).isNegative();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void appendAll_returnsTheSequenceNumbersTheLogReadsBack(TestDatabases.Kind kind) {
        try (Database db = Database.open(config(kind, dir)); JdbcEventLog log = new JdbcEventLog(db)) {
            log.append(event("single", "d0"));
            List<SecurityEvent> batch = new java.util.ArrayList<>();
            for (int i = 0; i < 250; i++) batch.add(event("batch." + i, "d" + i));
            List<StoredEvent> heard = new CopyOnWriteArrayList<>();
            log.subscribe(e -> e.activity().startsWith("batch."), heard::add);
            long last = log.appendAll(batch);
            assertThat(log.lastSequence()).isEqualTo(last);
            List<StoredEvent> read = log.read(EventQuery.all(1000).withActivityPrefix("batch."));
            assertThat(read).hasSize(250);
            assertThat(read.get(249).sequence()).isEqualTo(last);
            for (int i = 0; i < 250; i++) assertThat(read.get(i).event().activity()).isEqualTo("batch." + i);
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 250);
            assertThat(heard.stream().map(StoredEvent::sequence).toList()).isEqualTo(read.stream().map(StoredEvent::sequence).toList());
        }
    }

    @org.junit.jupiter.api.Test
    void enforceRetention_deletesInSmallBatchesWhileAppendsGoOn() throws Exception {
        try (Database db = Database.open(StoreConfig.embedded(dir)); JdbcEventLog log = new JdbcEventLog(db)) {
            Instant old = Instant.now().minus(Duration.ofDays(100));
            List<SecurityEvent> batch = new java.util.ArrayList<>();
            for (int i = 0; i < 60_000; i++) {
                batch.add(SecurityEvent.builder(EventClass.API_ACTIVITY, "old").time(old).detail("i", i).build());
                if (batch.size() == 5000) {
                    log.appendAll(batch);
                    batch.clear();
                }
            }
            java.util.concurrent.atomic.AtomicLong retentionEnd = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
            java.util.concurrent.atomic.AtomicInteger removed = new java.util.concurrent.atomic.AtomicInteger();
            long retentionStart = System.nanoTime();
            Thread retention = Thread.ofPlatform().start(() -> {
                removed.set(log.enforceRetention(Duration.ofDays(90)));
                retentionEnd.set(System.nanoTime());
            });
            int appendedDuring = 0;
            int appended = 0;
            while (retention.isAlive() && appended < 100_000) {
                log.append(event("new", "d"));
                appended++;
                if (System.nanoTime() < retentionEnd.get()) appendedDuring++;
            }
            retention.join();
            long tookMs = (retentionEnd.get() - retentionStart) / 1_000_000;
            assertThat(removed.get()).isEqualTo(60_000);
            assertThat(log.read(EventQuery.all(10_000).withActivityPrefix("new"))).hasSize(appended);
            assertThat(log.read(EventQuery.all(10).withActivityPrefix("old"))).isEmpty();
            // Twelve short deletes, not one long one: appends interleave with them.
            assertThat(appendedDuring).as("appends completed during %d ms of retention", tookMs).isGreaterThanOrEqualTo(2);
        }
    }
}
