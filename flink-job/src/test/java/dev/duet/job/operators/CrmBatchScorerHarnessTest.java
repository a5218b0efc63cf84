package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemDescriptor;
import dev.duet.job.model.ScoringTask;
import dev.duet.job.testing.FakeScorer;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class CrmBatchScorerHarnessTest {

    static ScoringTask task(String user, String model, String... items) {
        ScoringTask t = new ScoringTask();
        t.kind = items.length == 1 ? EventKind.INTERACTION : EventKind.REQUEST;
        t.id = user + "-" + String.join("-", items);
        t.userId = user;
        t.label = items.length == 1 ? 1 : -1;
        t.k = 1;
        t.timestampMs = 5;
        t.history = new ItemDescriptor[0];
        t.historyRatings = new float[0];
        t.historyTimes = new long[0];
        t.candidates = new ItemDescriptor[items.length];
        t.candidatePopularity = new double[items.length];
        for (int i = 0; i < items.length; i++) {
            t.candidates[i] = new ItemDescriptor(items[i], items[i], 0, new String[0]);
        }
        t.modelPath = model;
        return t;
    }

    private static OneInputStreamOperatorTestHarness<ScoringTask, ScoringTask> harness(int batchSize) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new CrmBatchScorer(FakeScorer.factory(0), "/m/v1", batchSize, 50));
    }

    @Test
    void batchesAcrossKeysAndFlushesWhenFullOrOnTheTimer() throws Exception {
        try (var h = harness(4)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement(task("u1", null, "a"), 5);
            h.processElement(task("u2", null, "b"), 5);
            assertThat(h.extractOutputValues()).isEmpty();
            h.processElement(task("u3", null, "c", "d"), 5); // 4 rows: full
            List<ScoringTask> out = h.extractOutputValues();
            assertThat(out).hasSize(3);
            assertThat(out.get(2).crmScores).hasSize(2);
            assertThat(out.get(0).crmScores[0]).isEqualTo(FakeScorer.probability("u1", "a", 0));
            assertThat(out.get(0).crmModelVersion).isEqualTo("v1");

            h.processElement(task("u4", null, "e"), 5);
            assertThat(h.extractOutputValues()).hasSize(3);
            h.setProcessingTime(100); // the timer fires
            assertThat(h.extractOutputValues()).hasSize(4);
        }
    }

    @Test
    void flushesBeforeACheckpointSoNothingIsBufferedInState() throws Exception {
        try (var h = harness(100)) {
            h.open();
            h.processElement(task("u1", null, "a"), 5);
            h.prepareSnapshotPreBarrier(1);
            h.snapshot(1, 10);
            assertThat(h.extractOutputValues()).hasSize(1);
        }
    }

    @Test
    void hotSwapsTheModelAndKeepsTheOldOneWhenTheNewOneFails() throws Exception {
        try (var h = harness(1)) {
            h.open();
            h.processElement(task("u1", null, "a"), 5);
            h.processElement(task("u1", "/m/v2", "a"), 5);
            h.processElement(task("u1", "/m/missing", "a"), 5);
            assertThat(h.extractOutputValues()).extracting(t -> t.crmModelVersion).containsExactly("v1", "v2", "v2");
        }
    }

    /** Loads attempted in this JVM by {@link #flakyFactory}: the first two fail (a file still being copied). */
    static final java.util.concurrent.atomic.AtomicInteger FLAKY_ATTEMPTS = new java.util.concurrent.atomic.AtomicInteger();

    private static dev.duet.job.scoring.CrmScorerFactory flakyFactory() {
        dev.duet.job.scoring.CrmScorerFactory fake = FakeScorer.factory(0);
        return path -> {
            if (path.endsWith("v3") && FLAKY_ATTEMPTS.incrementAndGet() <= 2) {
                throw new IllegalArgumentException("Model file not found: " + path);
            }
            return fake.open(path);
        };
    }

    /** A path that failed is tried again after a growing delay (it was never tried again before). */
    @Test
    void aModelThatFailedToLoadIsTriedAgainLater() throws Exception {
        FLAKY_ATTEMPTS.set(0);
        try (var h = new OneInputStreamOperatorTestHarness<>(new CrmBatchScorer(flakyFactory(), "/m/v1", 1, 50))) {
            h.open();
            h.setProcessingTime(0);
            h.processElement(task("u1", "/m/v3", "a"), 5); // attempt 1 fails: the old model scores
            h.setProcessingTime(500);
            h.processElement(task("u1", "/m/v3", "a"), 5); // within the 1 s delay: not tried
            h.setProcessingTime(1000);
            h.processElement(task("u1", "/m/v3", "a"), 5); // attempt 2 fails: next in 2 s
            h.setProcessingTime(2500);
            h.processElement(task("u1", "/m/v3", "a"), 5); // not yet
            h.setProcessingTime(3000);
            h.processElement(task("u1", "/m/v3", "a"), 5); // attempt 3 loads it
            assertThat(h.extractOutputValues()).extracting(t -> t.crmModelVersion).containsExactly("v1", "v1", "v1", "v1", "v3");
            assertThat(FLAKY_ATTEMPTS.get()).isEqualTo(3);
        }
    }

    @Test
    void theModelVersionMetricIsANumber() {
        assertThat(CrmBatchScorer.versionHash("fixture-v1")).isEqualTo(Integer.toUnsignedLong("fixture-v1".hashCode()));
        assertThat(CrmBatchScorer.versionHash("fixture-v2")).isNotEqualTo(CrmBatchScorer.versionHash("fixture-v1"));
    }
}
