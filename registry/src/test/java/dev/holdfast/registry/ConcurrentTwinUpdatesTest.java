package dev.holdfast.registry;

import dev.holdfast.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Optimistic concurrency under real contention: many writers read the twin, patch it with If-Match,
 * and on a stale ETag read again and retry, as a client of the REST API does on 412. Every update
 * must land exactly once, and stale ETags must be refused.
 */
class ConcurrentTwinUpdatesTest {
    static final int WRITERS = 8;
    static final int UPDATES_EACH = 20;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void conditionalDesiredPatches_staleOnesAreRefused_noneIsLost(TestDatabases.Kind kind) throws Exception {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            DeviceId id = f.devices().create(NewDevice.builder(new DeviceId("contended")).build(), "test").id();
            AtomicInteger refused = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                String key = "w" + w;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int n = 1; n <= UPDATES_EACH; n++) {
                        while (true) {
                            Twin t = f.devices().twin(id);
                            int previous = t.desired().get(key) == null ? 0 : t.desired().get(key).asInt();
                            assertThat(previous).isEqualTo(n - 1); // our own last update is there
                            try {
                                f.devices().patchDesired(id, JsonDocument.parse("{\"" + key + "\":" + n + "}"), Precondition.ifMatch(t.etag()), "test");
                                break;
                            } catch (RegistryRefusedException e) {
                                assertThat(e.refusal()).isInstanceOf(RegistryRefusal.PreconditionFailed.class);
                                refused.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> d : done) d.get(5, TimeUnit.MINUTES);
            pool.shutdown();
            Twin end = f.devices().twin(id);
            for (int w = 0; w < WRITERS; w++) assertThat(end.desired().get("w" + w).asInt()).as("w" + w).isEqualTo(UPDATES_EACH);
            assertThat(end.desiredVersion()).isEqualTo(1 + WRITERS * UPDATES_EACH);
            assertThat(refused.get()).as("stale ETags refused").isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void unconditionalWriters_onDifferentParts_neverOverwriteEachOther(TestDatabases.Kind kind) throws Exception {
        try (RegistryFixture f = RegistryFixture.open(kind, dir)) {
            DeviceId id = f.devices().create(NewDevice.builder(new DeviceId("busy")).build(), "test").id();
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 6; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    for (int n = 0; n < 15; n++) {
                        String member = "{\"k" + writer + "_" + n + "\":" + n + "}";
                        switch (writer % 3) {
                            case 0 -> f.devices().patchReported(id, JsonDocument.parse(member));
                            case 1 -> f.devices().mergeTags(id, JsonDocument.parse(member), Precondition.none(), "test");
                            default -> f.devices().patchDesired(id, JsonDocument.parse(member), Precondition.none(), "test");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> d : done) d.get(5, TimeUnit.MINUTES);
            pool.shutdown();
            Device end = f.devices().get(id);
            assertThat(end.twin().reported().size()).isEqualTo(30);
            assertThat(end.tags().size()).isEqualTo(30);
            assertThat(end.twin().desired().size()).isEqualTo(30);
            assertThat(end.version()).isEqualTo(1 + 90);
        }
    }
}
