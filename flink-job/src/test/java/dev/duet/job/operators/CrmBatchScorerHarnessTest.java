package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemDescriptor;
import dev.duet.job.model.ScoringTask;
import dev.duet.job.scoring.CrmScorerFactory;
import dev.duet.job.scoring.ModelSwapper;
import dev.duet.job.testing.CapturedLog;
import dev.duet.job.testing.FakeScorer;
import dev.duet.job.testing.OperatorMetrics;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.logging.log4j.Level;
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

    /** Released by a test: until then, opening a path ending in "slow-v2" waits (a large model). */
    static volatile CountDownLatch slowGate = new CountDownLatch(0);
    static volatile CountDownLatch slowStarted = new CountDownLatch(0);

    private static CrmScorerFactory slowFactory() {
        CrmScorerFactory fake = FakeScorer.factory(0);
        return path -> {
            if (path.endsWith("slow-v2")) {
                slowStarted.countDown();
                if (!slowGate.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the slow model");
                }
            }
            return fake.open(path);
        };
    }

    private static final ModelSwapper.Backoff FAST_RETRIES = new ModelSwapper.Backoff(20, 40);

    private static OneInputStreamOperatorTestHarness<ScoringTask, ScoringTask> harness(CrmScorerFactory factory,
            OperatorMetrics metrics) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new CrmBatchScorer(factory, "/m/v1", 1, 50, FAST_RETRIES), metrics.environment());
    }

    /** Scores one task as the user operator stamps it after the control record (batch size 1). */
    private static String scoreOne(OneInputStreamOperatorTestHarness<ScoringTask, ScoringTask> h, String path) throws Exception {
        int before = h.extractOutputValues().size();
        h.processElement(task("u1", path, "a"), 5);
        List<ScoringTask> out = h.extractOutputValues();
        assertThat(out).hasSize(before + 1);
        return out.get(before).crmModelVersion;
    }

    /** Waits (at most 5 s) until the operator's requested model has loaded. */
    static void awaitLoaded(BooleanSupplier loaded) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!loaded.getAsBoolean()) {
            assertThat(System.nanoTime()).as("the model loads within 5 s").isLessThan(deadline);
            Thread.sleep(2);
        }
    }

    @Test
    void keepsScoringWithTheOldModelWhileTheNewOneOpensAndWithTheNewOneAfterwards() throws Exception {
        slowGate = new CountDownLatch(1);
        slowStarted = new CountDownLatch(1);
        try (OperatorMetrics metrics = new OperatorMetrics(); var h = harness(slowFactory(), metrics);
                CapturedLog log = CapturedLog.of(CrmBatchScorer.class)) {
            h.open();
            CrmBatchScorer scorer = (CrmBatchScorer) h.getOperator();
            assertThat(scoreOne(h, null)).isEqualTo("v1");
            h.processElement(ScoringTask.modelControl(false, "/m/slow-v2"), 0);
            assertThat(h.extractOutputValues()).as("the control record goes no further").hasSize(1);
            assertThat(slowStarted.await(5, TimeUnit.SECONDS)).as("the new model is opening").isTrue();
            // While it opens (held by the latch), the task thread keeps scoring with v1.
            for (int i = 0; i < 5; i++) {
                assertThat(scoreOne(h, "/m/slow-v2")).isEqualTo("v1");
            }
            assertThat(metrics.value("modelSwapPending")).isEqualTo(1);
            assertThat(metrics.value("crmModelVersionHash")).isEqualTo(CrmBatchScorer.versionHash("v1"));
            assertThat(metrics.value("modelLoadFailures")).as("nothing gave up waiting for the model").isZero();

            slowGate.countDown();
            awaitLoaded(scorer::swapReady);
            assertThat(scoreOne(h, "/m/slow-v2")).isEqualTo("slow-v2");
            assertThat(scoreOne(h, "/m/slow-v2")).isEqualTo("slow-v2");
            assertThat(metrics.value("modelSwaps")).isEqualTo(1);
            assertThat(metrics.value("modelSwapPending")).isZero();
            assertThat(metrics.value("modelLoadFailures")).isZero();
            assertThat(metrics.value("crmModelVersionHash")).isEqualTo(CrmBatchScorer.versionHash("slow-v2"));
            assertThat(log.at(Level.INFO)).singleElement().asString()
                    .contains("now scoring with /m/slow-v2 (version slow-v2, versionHash " + CrmBatchScorer.versionHash("slow-v2"),
                            "was /m/v1 (version v1, versionHash " + CrmBatchScorer.versionHash("v1"));
        } finally {
            slowGate.countDown();
        }
    }

    @Test
    void aBadPathIsCountedAndLoggedAtErrorOnceWhileTheOldModelKeepsScoring() throws Exception {
        try (OperatorMetrics metrics = new OperatorMetrics(); var h = harness(FakeScorer.factory(0), metrics);
                CapturedLog log = CapturedLog.of(CrmBatchScorer.class)) {
            h.open();
            CrmBatchScorer scorer = (CrmBatchScorer) h.getOperator();
            h.processElement(ScoringTask.modelControl(false, "/m/missing-v2"), 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (metrics.value("modelLoadFailures") < 3) { // tried again after 20, 40, 40 ms
                assertThat(System.nanoTime()).isLessThan(deadline);
                assertThat(scoreOne(h, "/m/missing-v2")).isEqualTo("v1");
                Thread.sleep(5);
            }
            assertThat(scorer.swapPending()).isTrue();
            assertThat(metrics.value("modelSwapPending")).isEqualTo(1);
            assertThat(metrics.value("modelSwaps")).isZero();
            assertThat(log.at(Level.ERROR)).as("once per reason, not once per attempt").singleElement().asString()
                    .contains("Cannot load the model /m/missing-v2", "Model file not found: /m/missing-v2", "still scoring with /m/v1");

            // A later command replaces the failing one.
            h.processElement(ScoringTask.modelControl(false, "/m/v3"), 0);
            awaitLoaded(scorer::swapReady);
            assertThat(scoreOne(h, "/m/v3")).isEqualTo("v3");
            long failures = metrics.value("modelLoadFailures");
            Thread.sleep(100);
            assertThat(metrics.value("modelLoadFailures")).as("the superseded path is no longer tried").isEqualTo(failures);
        }
    }

    @Test
    void aPathRestoredFromACheckpointScoresFromTheFirstBatch() throws Exception {
        try (OperatorMetrics metrics = new OperatorMetrics(); var h = harness(FakeScorer.factory(0), metrics)) {
            h.open();
            // After a restore no control record comes again: the first task names the path in force.
            assertThat(scoreOne(h, "/m/v2")).isEqualTo("v2");
            assertThat(metrics.value("crmModelVersionHash")).isEqualTo(CrmBatchScorer.versionHash("v2"));
        }
    }

    @Test
    void theModelVersionMetricIsANumber() {
        assertThat(CrmBatchScorer.versionHash("fixture-v1")).isEqualTo(Integer.toUnsignedLong("fixture-v1".hashCode()));
        assertThat(CrmBatchScorer.versionHash("fixture-v2")).isNotEqualTo(CrmBatchScorer.versionHash("fixture-v1"));
    }
}
