package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.duet.core.data.Interaction;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.JobEvent;
import dev.duet.job.model.ScoringTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

class UserHistoryHarnessTest {

    private static KeyedBroadcastOperatorTestHarness<String, JobEvent, JobEvent, ScoringTask> harness(int historyLength) throws Exception {
        return harness(new UserHistory(historyLength, Duration.ZERO, Duration.ofDays(1), 5, ""));
    }

    private static KeyedBroadcastOperatorTestHarness<String, JobEvent, JobEvent, ScoringTask> harness(UserHistory function) throws Exception {
        var op = new CoBroadcastWithKeyedOperator<>(function,
                List.of(UserHistory.CATALOG, UserHistory.POPULARITY, UserHistory.CONTROL));
        return new KeyedBroadcastOperatorTestHarness<>(op, e -> e.userId, Types.STRING, 128, 1, 0);
    }

    /** The job's operator: the user cache in write-behind mode. */
    private static KeyedBroadcastOperatorTestHarness<String, JobEvent, JobEvent, ScoringTask> writeBehindHarness(UserHistory function)
            throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(new UserHistoryOperator(function), e -> e.userId, Types.STRING, 128, 1, 0);
    }

    private static final int STREAM_LENGTH = 600;

    /** Feeds events [from, to) of a fixed random stream of 12 users' interactions and requests. */
    private static void feed(KeyedBroadcastOperatorTestHarness<String, JobEvent, JobEvent, ScoringTask> h, int from, int to)
            throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < to; i++) {
            String user = "u" + random.nextInt(12);
            long time = 1000L * i;
            boolean request = random.nextInt(6) == 0;
            String a = "i" + random.nextInt(40);
            String b = "i" + random.nextInt(40);
            int rating = 1 + random.nextInt(5);
            if (i < from) {
                continue;
            }
            h.processElement(request ? Events.request("r" + i, user, 2, time, a, b) : Events.interaction(user, a, rating, time), time);
        }
    }

    private static List<String> describe(List<ScoringTask> out) {
        List<String> tasks = new ArrayList<>();
        for (ScoringTask t : out) {
            tasks.add(t.id + " " + t.userId + " n=" + t.userInteractions + " label=" + t.label
                    + " history=" + Arrays.stream(t.history).map(d -> d.itemId).toList()
                    + " ratings=" + Arrays.toString(t.historyRatings) + " times=" + Arrays.toString(t.historyTimes)
                    + " candidates=" + Arrays.stream(t.candidates).map(d -> d.itemId).toList());
        }
        return tasks;
    }

    /** The tasks of the whole random stream, with RocksDB state. */
    private static List<String> tasksOfTheRandomStream(KeyedBroadcastOperatorTestHarness<String, JobEvent, JobEvent, ScoringTask> h)
            throws Exception {
        try (h) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            feed(h, 0, STREAM_LENGTH);
            return describe(h.extractOutputValues());
        }
    }

    private static UserHistory function(int cacheSize) {
        return new UserHistory(20, Duration.ZERO, Duration.ofDays(1), 5, "", cacheSize);
    }

    @Test
    void theUserStateCacheChangesNoTaskEvenWhileItEvicts() throws Exception {
        List<String> uncached = tasksOfTheRandomStream(harness(function(0)));
        assertThat(uncached).hasSize(STREAM_LENGTH);
        // Four places for twelve users: hits, misses and evictions all happen.
        UserHistory writeThrough = function(4);
        assertThat(tasksOfTheRandomStream(harness(writeThrough))).containsExactlyElementsOf(uncached);
        assertThat(writeThrough.cacheHits()).isBetween(50L, 550L);
        UserHistory writeBehind = function(4);
        assertThat(tasksOfTheRandomStream(writeBehindHarness(writeBehind))).containsExactlyElementsOf(uncached);
        assertThat(writeBehind.cacheHits()).isBetween(50L, 550L);
    }

    @Test
    void aCheckpointOfTheWriteBehindCacheHoldsEveryWriteMadeBeforeIt() throws Exception {
        List<String> uncached = tasksOfTheRandomStream(harness(function(0)));
        // The cache holds all twelve users: without the flush before the barrier nothing would
        // have reached RocksDB by the snapshot.
        OperatorSubtaskState snapshot;
        List<String> tasks = new ArrayList<>();
        try (var h = writeBehindHarness(function(100))) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            feed(h, 0, 250);
            // As the task does at a barrier (the harness's snapshot() alone does not).
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 250_000);
            // Events after the checkpoint are lost with the run, as after a failure.
            feed(h, 250, 300);
            tasks.addAll(describe(h.extractOutputValues()).subList(0, 250));
        }
        try (var h = writeBehindHarness(function(100))) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.setup();
            h.initializeState(snapshot);
            h.open();
            feed(h, 250, STREAM_LENGTH);
            tasks.addAll(describe(h.extractOutputValues()));
        }
        assertThat(tasks).containsExactlyElementsOf(uncached);
    }

    /** Cached users keep their history's catalog entries, until the catalog changes. */
    @Test
    void historyEntriesFollowCatalogChanges() throws Exception {
        try (var h = writeBehindHarness(function(100))) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            h.open();
            h.processBroadcastElement(Events.item("a", "A first", 1999), 0);
            h.processElement(Events.interaction("u", "a", 4, 10), 10);
            h.processElement(Events.interaction("u", "b", 4, 20), 20);
            h.processBroadcastElement(Events.item("a", "A second", 2001), 25);
            h.processBroadcastElement(Events.item("b", "B", 2002), 25);
            h.processElement(Events.interaction("u", "c", 4, 30), 30);
            h.processElement(Events.interaction("u", "d", 4, 5), 40); // late: its history is empty
            List<ScoringTask> out = h.extractOutputValues();
            assertThat(out.get(1).history).extracting(d -> d.title).containsExactly("A first");
            assertThat(out.get(2).history).extracting(d -> d.itemId).containsExactly("a", "b");
            assertThat(out.get(2).history).extracting(d -> d.title).containsExactly("A second", "B");
            assertThat(out.get(3).history).isEmpty();
            h.processElement(Events.interaction("u", "e", 4, 50), 50);
            assertThat(h.extractOutputValues().get(4).history).extracting(d -> d.itemId).containsExactly("d", "a", "b", "c");
            assertThat(h.extractOutputValues().get(4).history).extracting(d -> d.title).containsExactly("item d", "A second", "B", "item c");
        }
    }

    @Test
    void aNegativeCacheSizeIsRefused() {
        assertThatThrownBy(() -> new UserHistory(20, Duration.ZERO, Duration.ofDays(1), 5, "", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("state.user-cache-size");
    }

    @Test
    void samplesArePrequentialAndMatchTheProtocolsSampleBuilder() throws Exception {
        try (var h = harness(10)) {
            h.open();
            h.processBroadcastElement(Events.item("a", "Alpha (1990)", 1990, "Drama"), 0);
            List<Interaction> past = new ArrayList<>();
            List<Sample> expected = new ArrayList<>();
            float[] ratings = {5, 1, 4, 3, 2, 5, 4, 4, 1, 2, 5, 3, 4};
            for (int i = 0; i < ratings.length; i++) {
                Interaction e = new Interaction("u", i % 3 == 0 ? "a" : "x" + i, ratings[i], 1000L * (i + 1));
                expected.add(SampleBuilder.sample(e, past));
                past.add(e);
                h.processElement(Events.interaction("u", e.itemId(), e.rating(), e.timestampMs()), e.timestampMs());
            }
            List<ScoringTask> out = h.extractOutputValues();
            assertThat(out).hasSize(ratings.length);
            for (int i = 0; i < out.size(); i++) {
                ScoringTask t = out.get(i);
                Sample s = expected.get(i);
                assertThat(t.label).isEqualTo(s.label());
                assertThat(t.userInteractions).isEqualTo(i);
                assertThat(Arrays.stream(t.history).map(d -> d.itemId).toArray()).containsExactly((Object[]) s.historyItems());
                assertThat(t.historyRatings).containsExactly(s.historyRatings());
                assertThat(t.candidates[0].itemId).isEqualTo(s.itemId());
            }
            // Catalog entries are attached to candidates and history.
            assertThat(out.get(3).candidates[0].title).isEqualTo("Alpha (1990)");
            assertThat(out.get(12).history.length).isEqualTo(SampleBuilder.HISTORY);
        }
    }

    @Test
    void requestsWithoutCandidatesGetPopularItemsTheUserHasNotSeen() throws Exception {
        try (var h = harness(10)) {
            h.open();
            h.processBroadcastElement(Events.popularity("p1", 10), 0);
            h.processBroadcastElement(Events.popularity("p2", 8), 0);
            h.processBroadcastElement(Events.popularity("p3", 6), 0);
            h.processBroadcastElement(Events.control("/models/v2"), 0);
            h.processElement(Events.interaction("u", "p1", 4, 10), 10);
            h.processElement(Events.request("r1", "u", 2, 20), 20);
            h.processElement(Events.request("r2", "u", 1, 30, "p1", "zz"), 30);
            List<ScoringTask> all = h.extractOutputValues();
            // The control record is handed on at once, so that the model opens before tasks need it.
            assertThat(all.get(0).kind).isEqualTo(EventKind.CONTROL);
            assertThat(all.get(0).modelPath).isEqualTo("/models/v2");
            assertThat(all.get(0).sequenceModelPath).isNull();
            List<ScoringTask> out = all.subList(1, all.size());
            ScoringTask r1 = out.get(1);
            assertThat(r1.label).isEqualTo(-1);
            assertThat(Arrays.stream(r1.candidates).map(c -> c.itemId)).containsExactly("p2", "p3");
            // As broadcast at time 0, decayed over 20 ms of a one-day half-life.
            assertThat(r1.candidatePopularity[0]).isCloseTo(8.0, within(1e-5)).isLessThan(8.0);
            assertThat(r1.candidatePopularity[1]).isCloseTo(6.0, within(1e-5)).isLessThan(6.0);
            assertThat(r1.modelPath).isEqualTo("/models/v2");
            ScoringTask r2 = out.get(2);
            assertThat(Arrays.stream(r2.candidates).map(c -> c.itemId)).containsExactly("p1", "zz");
            assertThat(r2.history).hasSize(1);
        }
    }

    @Test
    void anInteractionCarriesTheBroadcastPopularityDecayedToItsTime() throws Exception {
        long day = 86_400_000L;
        try (var h = harness(10)) {
            h.open();
            h.processBroadcastElement(Events.popularity("a", 8, day), 0);
            h.processElement(Events.interaction("u", "a", 4, 2 * day), 2 * day);
            h.processElement(Events.interaction("u", "b", 4, 2 * day), 2 * day);
            h.processElement(Events.interaction("u", "a", 4, day / 2), day / 2);
            List<ScoringTask> out = h.extractOutputValues();
            assertThat(out.get(0).candidatePopularity[0]).isCloseTo(4.0, within(1e-9));
            assertThat(out.get(1).candidatePopularity[0]).isZero();
            // Before the broadcast count's time: as it is, never grown backwards.
            assertThat(out.get(2).candidatePopularity[0]).isEqualTo(8.0);
        }
    }

    @Test
    void lateEventsStillUpdateStateInTimeOrderAndStateIsBounded() throws Exception {
        try (var h = harness(10)) {
            h.open();
            for (int i = 0; i < 15; i++) {
                h.processElement(Events.interaction("u", "i" + i, 4, 1000L * (i + 10)), 1000L * (i + 10));
            }
            h.processBroadcastWatermark(new Watermark(100_000));
            h.processWatermark(new Watermark(100_000));
            // A late event from before everything: still counted into the history, at its place in time.
            h.processElement(Events.interaction("u", "late", 2, 500), 500);
            h.processElement(Events.interaction("u", "next", 4, 200_000), 200_000);
            List<ScoringTask> out = h.extractOutputValues();
            ScoringTask last = out.get(out.size() - 1);
            assertThat(last.userInteractions).isEqualTo(16);
            // Bounded to 10 kept: the late (oldest) one fell off the end, the newest 10 remain.
            assertThat(Arrays.stream(last.history).map(d -> d.itemId)).containsExactly(
                    "i5", "i6", "i7", "i8", "i9", "i10", "i11", "i12", "i13", "i14");
        }
    }

    @Test
    void restoresUserStateAndBroadcastStateFromASnapshot() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(10)) {
            h.open();
            h.processBroadcastElement(Events.item("a", "Alpha", 1990, "Drama"), 0);
            h.processBroadcastElement(Events.control("/models/v3"), 0);
            h.processElement(Events.interaction("u", "a", 5, 10), 10);
            h.processElement(Events.interaction("u", "b", 2, 20), 20);
            snapshot = h.snapshot(1, 30);
        }
        try (var h = harness(10)) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            h.processElement(Events.interaction("u", "c", 4, 40), 40);
            ScoringTask t = h.extractOutputValues().get(0);
            assertThat(t.userInteractions).isEqualTo(2);
            assertThat(Arrays.stream(t.history).map(d -> d.itemId)).containsExactly("a", "b");
            assertThat(t.history[0].title).isEqualTo("Alpha");
            assertThat(t.modelPath).isEqualTo("/models/v3");
        }
    }
}
