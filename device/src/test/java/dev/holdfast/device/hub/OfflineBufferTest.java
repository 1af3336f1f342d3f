package dev.holdfast.device.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OfflineBufferTest {
    static byte[] b(int i) {
        return new byte[]{(byte) i};
    }

    @Test
    void dropOldest_evictsTheOldestFailsItsFutureAndCounts() {
        OfflineBuffer buffer = new OfflineBuffer(2, OverflowPolicy.DROP_OLDEST);
        OfflineBuffer.Entry first = buffer.add("t", b(1));
        buffer.add("t", b(2));
        OfflineBuffer.Entry third = buffer.add("t", b(3));
        assertThat(first.acknowledged()).isCompletedExceptionally();
        assertThat(third.acknowledged()).isNotDone();
        assertThat(buffer.size()).isEqualTo(2);
        assertThat(buffer.overflowed()).isEqualTo(1);
    }

    @Test
    void rejectNew_keepsWhatWasAcceptedAndRefusesTheNewcomer() {
        OfflineBuffer buffer = new OfflineBuffer(1, OverflowPolicy.REJECT_NEW);
        OfflineBuffer.Entry kept = buffer.add("t", b(1));
        OfflineBuffer.Entry refused = buffer.add("t", b(2));
        assertThat(kept.acknowledged()).isNotDone();
        assertThat(refused.acknowledged()).isCompletedExceptionally();
        assertThat(buffer.overflowed()).isEqualTo(1);
    }

    @Test
    void unacknowledgedEntries_areHandedOutOncePerConnection_inOrder_untilAcknowledged() {
        OfflineBuffer buffer = new OfflineBuffer(10, OverflowPolicy.DROP_OLDEST);
        OfflineBuffer.Entry a = buffer.add("t", b(1));
        OfflineBuffer.Entry c = buffer.add("t", b(2));
        assertThat(buffer.unsentOn(1)).containsExactly(a, c);
        assertThat(buffer.unsentOn(1)).isEmpty();
        buffer.acknowledged(a);
        assertThat(a.acknowledged()).isCompleted();
        assertThat(buffer.unsentOn(2)).containsExactly(c); // resent on the next connection
        buffer.failAll(new IllegalStateException("closed"));
        assertThat(c.acknowledged()).isCompletedExceptionally();
        assertThat(buffer.size()).isZero();
    }

    @Test
    void backoff_growsExponentiallyToTheCap_withJitterInsideTheCeiling() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        assertThat(List.of(0, 1, 2, 5, 6, 60).stream().map(n -> b.ceiling(n).toMillis()).toList())
                .containsExactly(100L, 200L, 400L, 3200L, 5000L, 5000L);
        SplittableRandom r = new SplittableRandom(1);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 1000; i++) {
            long d = b.delay(3, r).toMillis();
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertThat(min).isBetween(0L, 40L);
        assertThat(max).isBetween(760L, 800L);
    }
}
