package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemTouch;
import dev.duet.job.model.JobEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ItemPopularityHarnessTest {

    private static final long DAY = 86_400_000L;

    private static KeyedOneInputStreamOperatorTestHarness<String, ItemTouch, JobEvent> harness(double tolerance) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ItemPopularity(Duration.ofDays(1), Duration.ZERO, tolerance)), t -> t.itemId,
                Types.STRING);
    }

    /** The job's operator: the item cache in write-behind mode. */
    private static KeyedOneInputStreamOperatorTestHarness<String, ItemTouch, JobEvent> writeBehindHarness(ItemPopularity function)
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new ItemPopularityOperator(function), t -> t.itemId, Types.STRING);
    }

    private static ItemPopularity function(int cacheSize) {
        return new ItemPopularity(Duration.ofDays(1), Duration.ZERO, 0.1, cacheSize);
    }

    private static final int STREAM_LENGTH = 800;

    /** Touches [from, to) of a fixed random stream over 15 items, times mostly rising with some late. */
    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, ItemTouch, JobEvent> h, int from, int to)
            throws Exception {
        Random random = new Random(3);
        for (int i = 0; i < to; i++) {
            String item = "i" + random.nextInt(15);
            long time = 600_000L * i - (random.nextInt(5) == 0 ? random.nextInt(20) * 600_000L : 0);
            if (i >= from) {
                touch(h, item, time);
            }
        }
    }

    private static List<String> describe(List<JobEvent> out) {
        return out.stream().map(e -> e.itemId + "@" + e.timestampMs + "=" + e.itemPopularity).toList();
    }

    /** The updates of the whole random stream, with RocksDB state. */
    private static List<String> updatesOfTheRandomStream(KeyedOneInputStreamOperatorTestHarness<String, ItemTouch, JobEvent> h)
            throws Exception {
        try (h) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            feed(h, 0, STREAM_LENGTH);
            return describe(h.extractOutputValues());
        }
    }

    @Test
    void theItemCacheChangesNoUpdateEvenWhileItEvicts() throws Exception {
        List<String> uncached = updatesOfTheRandomStream(new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(function(0)), t -> t.itemId, Types.STRING));
        assertThat(uncached).hasSizeBetween(50, STREAM_LENGTH - 50);
        // Five places for fifteen items: hits, misses and evictions all happen.
        ItemPopularity writeThrough = function(5);
        assertThat(updatesOfTheRandomStream(new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(writeThrough), t -> t.itemId, Types.STRING))).containsExactlyElementsOf(uncached);
        assertThat(writeThrough.cacheHits()).isBetween(50L, 700L);
        ItemPopularity writeBehind = function(5);
        assertThat(updatesOfTheRandomStream(writeBehindHarness(writeBehind))).containsExactlyElementsOf(uncached);
        assertThat(writeBehind.cacheHits()).isBetween(50L, 700L);
    }

    @Test
    void aCheckpointOfTheWriteBehindCacheHoldsEveryWriteMadeBeforeIt() throws Exception {
        List<String> uncached = updatesOfTheRandomStream(new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(function(0)), t -> t.itemId, Types.STRING));
        // The cache holds all fifteen items: without the flush before the barrier nothing would
        // have reached RocksDB by the snapshot.
        OperatorSubtaskState snapshot;
        List<String> updates;
        int before;
        try (var h = writeBehindHarness(function(100))) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            feed(h, 0, 300);
            before = h.extractOutputValues().size();
            // As the task does at a barrier (the harness's snapshot() alone does not).
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 300);
            // Touches after the checkpoint are lost with the run, as after a failure.
            feed(h, 300, 350);
            updates = new ArrayList<>(describe(h.extractOutputValues()).subList(0, before));
        }
        try (var h = writeBehindHarness(function(100))) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.setup();
            h.initializeState(snapshot);
            h.open();
            feed(h, 300, STREAM_LENGTH);
            updates.addAll(describe(h.extractOutputValues()));
        }
        assertThat(updates).containsExactlyElementsOf(uncached);
    }

    @Test
    void thePreBarrierFlushReportsWhatItWroteAndHowLongItTook() throws Exception {
        try (var h = writeBehindHarness(function(100))) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            touch(h, "a", 0);
            touch(h, "b", 0);
            touch(h, "a", 1);
            h.prepareSnapshotPreBarrier(1);
            // Nothing touched since: the next flush writes nothing.
            h.prepareSnapshotPreBarrier(2);
            touch(h, "c", 2);
            h.prepareSnapshotPreBarrier(3);
            BarrierFlushMetrics metrics = ((ItemPopularityOperator) h.getOperator()).flushMetrics();
            assertThat(metrics.entries().getCount()).isEqualTo(3);
            assertThat(metrics.entries().getStatistics().getValues()).containsExactly(2L, 0L, 1L);
            assertThat(metrics.micros().getCount()).isEqualTo(3);
            assertThat(metrics.micros().getStatistics().getMin()).isNotNegative();
        }
    }

    private static void touch(KeyedOneInputStreamOperatorTestHarness<String, ItemTouch, JobEvent> h, String item, long t)
            throws Exception {
        h.processElement(new ItemTouch(item, t), t);
    }

    @Test
    void withoutToleranceEveryInteractionSendsTheDecayedCountAfterIt() throws Exception {
        try (var h = harness(0)) {
            h.open();
            touch(h, "a", 0);
            touch(h, "a", 0);
            touch(h, "b", 0);
            touch(h, "a", DAY); // one day is one half-life: 2 / 2 + 1
            List<JobEvent> out = h.extractOutputValues();
            assertThat(out).extracting(e -> e.kind).containsOnly(EventKind.POPULARITY);
            assertThat(out).extracting(e -> e.itemId).containsExactly("a", "a", "b", "a");
            assertThat(out).extracting(e -> e.timestampMs).containsExactly(0L, 0L, 0L, DAY);
            assertThat(out.get(3).itemPopularity).isCloseTo(2.0, within(1e-9));
            assertThat(out.subList(0, 3)).extracting(e -> e.itemPopularity).containsExactly(1.0, 2.0, 1.0);
        }
    }

    @Test
    void withToleranceOnlyCountsThatGrewBeyondItAreSent() throws Exception {
        try (var h = harness(0.5)) {
            h.open();
            for (int i = 0; i < 10; i++) {
                touch(h, "a", 0);
            }
            // Sent 1; then the first count above 1.5 x 1 = 2; above 3: 4; above 6: 7; 8 to 10 stay under 10.5.
            assertThat(h.extractOutputValues()).extracting(e -> e.itemPopularity).containsExactly(1.0, 2.0, 4.0, 7.0);
            // A day (one half-life) later: true 10 / 2 + 1 = 6; the holders' 7 decayed to 3.5; 6 > 1.5 x 3.5.
            touch(h, "a", DAY);
            assertThat(h.extractOutputValues()).hasSize(5);
            assertThat(h.extractOutputValues().get(4).itemPopularity).isCloseTo(6.0, within(1e-9));
        }
    }

    @Test
    void aLateInteractionAddsItsDecayedWeightAtTheLatestTime() throws Exception {
        try (var h = harness(0)) {
            h.open();
            touch(h, "a", DAY);
            touch(h, "a", 0);
            JobEvent last = h.extractOutputValues().get(1);
            assertThat(last.itemPopularity).isCloseTo(1.5, within(1e-9));
            assertThat(last.timestampMs).isEqualTo(DAY);
        }
    }

    @Test
    void restoresFromASnapshot() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(0)) {
            h.open();
            touch(h, "a", 0);
            touch(h, "a", 0);
            snapshot = h.snapshot(1, 10);
        }
        try (var h = harness(0)) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            touch(h, "a", 0);
            assertThat(h.extractOutputValues().get(0).itemPopularity).isEqualTo(3.0);
        }
    }

    @Test
    void refusesANegativeCacheSize() {
        assertThatThrownBy(() -> new ItemPopularity(Duration.ofDays(1), Duration.ZERO, 0.1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("state.item-cache-size");
    }

    @Test
    void refusesAToleranceOutsideZeroToOne() {
        assertThatThrownBy(() -> new ItemPopularity(Duration.ofDays(1), Duration.ZERO, 1.0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tolerance");
        assertThatThrownBy(() -> new ItemPopularity(Duration.ofDays(1), Duration.ZERO, -0.1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tolerance");
    }
}
