package dev.holdfast.provisioning;

import dev.holdfast.provisioning.internal.JdbcProvisioningStore;
import dev.holdfast.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The V2 challenge table on both databases: it holds open challenges per registration id and is the
 * one-time-use ledger of {@code TpmAttestation}: consuming is a single-row DELETE that succeeds once.
 */
class TpmChallengeStoreTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void consume_succeedsExactlyOnce_andTheChallengeIsGoneAfterwards(TestDatabases.Kind kind) {
        try (ProvisioningFixture f = ProvisioningFixture.open(kind, dir)) {
            JdbcProvisioningStore store = new JdbcProvisioningStore(f.db);
            Instant now = Instant.now();
            store.putTpmChallenge("00112233445566778899aabbccddeeff", "reg-a", "{\"x\":1}", now, now.plus(Duration.ofMinutes(5)));

            assertThat(store.tpmChallenge("00112233445566778899aabbccddeeff", "reg-a")).contains("{\"x\":1}");
            assertThat(store.tpmChallenge("00112233445566778899aabbccddeeff", "reg-b")).as("another registration's challenge").isEmpty();
            assertThat(store.consumeTpmChallenge("00112233445566778899aabbccddeeff")).isTrue();
            assertThat(store.consumeTpmChallenge("00112233445566778899aabbccddeeff")).as("a replay").isFalse();
            assertThat(store.tpmChallenge("00112233445566778899aabbccddeeff", "reg-a")).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void racingConsumers_onlyOneWins(TestDatabases.Kind kind) throws Exception {
        try (ProvisioningFixture f = ProvisioningFixture.open(kind, dir)) {
            JdbcProvisioningStore store = new JdbcProvisioningStore(f.db);
            Instant now = Instant.now();
            store.putTpmChallenge("race", "reg-a", "{}", now, now.plus(Duration.ofMinutes(5)));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Callable<Boolean>> tasks = new ArrayList<>();
                for (int i = 0; i < 8; i++) tasks.add(() -> store.consumeTpmChallenge("race"));
                long wins = 0;
                for (Future<Boolean> r : pool.invokeAll(tasks)) if (r.get()) wins++;
                assertThat(wins).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void newChallenges_purgeExpiredOnes(TestDatabases.Kind kind) {
        try (ProvisioningFixture f = ProvisioningFixture.open(kind, dir)) {
            JdbcProvisioningStore store = new JdbcProvisioningStore(f.db);
            Instant then = Instant.now().minus(Duration.ofHours(1));
            store.putTpmChallenge("old", "reg-a", "{}", then, then.plus(Duration.ofMinutes(5)));
            store.putTpmChallenge("open", "reg-a", "{}", then.plus(Duration.ofMinutes(2)), then.plus(Duration.ofMinutes(7)));
            assertThat(store.tpmChallenge("old", "reg-a")).isPresent();

            Instant now = Instant.now();
            store.putTpmChallenge("new", "reg-a", "{}", now, now.plus(Duration.ofMinutes(5)));
            assertThat(store.tpmChallenge("old", "reg-a")).isEmpty();
            assertThat(store.tpmChallenge("open", "reg-a")).isEmpty();
            assertThat(store.tpmChallenge("new", "reg-a")).isPresent();
        }
    }
}
