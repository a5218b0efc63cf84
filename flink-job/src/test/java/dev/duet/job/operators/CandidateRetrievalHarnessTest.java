package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.onnx.SharedSessions;
import dev.duet.core.sequence.SequenceModel;
import dev.duet.core.testing.SequenceModelFixture;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemDescriptor;
import dev.duet.job.model.JobEvent;
import dev.duet.job.model.RetrievalSource;
import dev.duet.job.model.ScoringTask;
import dev.duet.job.scoring.ModelSwapper;
import dev.duet.job.testing.CapturedLog;
import dev.duet.job.testing.OperatorMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CandidateRetrievalHarnessTest {

    private static final int N = 8;

    @TempDir
    Path dir;

    private Path v1;
    private Path v2;
    private String catalogHandle;

    @BeforeEach
    void models() throws Exception {
        v1 = SequenceModelFixture.builder().items(SequenceModelFixture.itemIds(60)).dim(8).maxHistory(5).seed(1).version("seq-v1")
                .build().write(dir.resolve("v1.onnx"));
        v2 = SequenceModelFixture.builder().items(SequenceModelFixture.itemIds(60)).dim(8).maxHistory(5).seed(2).version("seq-v2")
                .build().write(dir.resolve("v2.onnx"));
        catalogHandle = CatalogViews.register(new CatalogViews.View() {
            @Override
            public ItemDescriptor item(String itemId) {
                return new ItemDescriptor(itemId, "Title of " + itemId, 2000, new String[] {"Drama"});
            }

            @Override
            public double popularity(String itemId, long timeMs) {
                return itemId.length() + timeMs;
            }
        });
    }

    @AfterEach
    void unregister() {
        CatalogViews.unregister(catalogHandle);
    }

    private OneInputStreamOperatorTestHarness<ScoringTask, ScoringTask> harness(String model, int batchSize, boolean shadow)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new CandidateRetrieval(
                new CandidateRetrieval.Settings(model, N, batchSize, 50, 1, shadow)));
    }

    /** A request without candidates as the user operator hands it on: popularity's candidates. */
    private ScoringTask request(String user, int k, String... history) {
        ScoringTask t = CrmBatchScorerHarnessTest.task(user, null, "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10");
        t.id = "r-" + user;
        t.k = k;
        t.retrievalSource = RetrievalSource.POPULARITY;
        t.retrievalHistory = history;
        t.catalogHandle = catalogHandle;
        return t;
    }

    private static ScoringTask interaction(String user, String item) {
        return CrmBatchScorerHarnessTest.task(user, null, item);
    }

    private static String[] ids(ScoringTask t) {
        return Arrays.stream(t.candidates).map(c -> c.itemId).toArray(String[]::new);
    }

    @Test
    void withoutASequenceModelPopularityStays() throws Exception {
        try (var h = harness("", 1, false)) {
            h.open();
            h.processElement(request("u1", 3, "i1", "i2"), 5);
            ScoringTask out = h.extractOutputValues().get(0);
            assertThat(out.retrievalSource).isEqualTo(RetrievalSource.POPULARITY);
            assertThat(out.retrievalModelVersion).isNull();
            assertThat(ids(out)).startsWith("p1", "p2");
            assertThat(out.retrievalHistory).isNull();
        }
    }

    @Test
    void requestsWithoutCandidatesGetTheSequenceModelsExactTopN() throws Exception {
        try (var h = harness(v1.toString(), 1, false);
                SequenceModel model = SequenceModel.load(v1)) {
            h.open();
            String[] history = {"i3", "i7", "x-unknown", "i12"};
            h.processElement(request("u1", 3, history), 5);
            ScoringTask out = h.extractOutputValues().get(0);
            SequenceModel.Retrieved expected = model.topN(List.<String[]>of(history), List.<String[]>of(history), N).get(0);
            assertThat(ids(out)).containsExactly(expected.itemIds()).hasSize(N).doesNotContain("i3", "i7", "i12");
            assertThat(out.retrievalSource).isEqualTo(RetrievalSource.SEQUENCE);
            assertThat(out.retrievalModelVersion).isEqualTo("seq-v1");
            // Catalog entries and popularity come from the user operator's view.
            assertThat(out.candidates[0].title).isEqualTo("Title of " + expected.itemIds()[0]);
            assertThat(out.candidatePopularity[0]).isEqualTo(expected.itemIds()[0].length() + 5);
            assertThat(out.candidatePopularity).hasSize(N);
            assertThat(out.shadowPopularityItems).isNull();
        }
    }

    @Test
    void otherTasksPassThroughAndNothingOvertakesAPendingRequest() throws Exception {
        try (var h = harness(v1.toString(), 3, false)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement(interaction("u0", "i1"), 5); // nothing pending: straight through
            assertThat(h.extractOutputValues()).hasSize(1);
            h.processElement(request("u1", 2, "i1"), 5);
            h.processElement(interaction("u1", "i9"), 6); // waits behind the request of its user
            ScoringTask own = CrmBatchScorerHarnessTest.task("u2", null, "a", "b");
            own.retrievalSource = RetrievalSource.REQUEST;
            h.processElement(own, 7);
            assertThat(h.extractOutputValues()).hasSize(1);
            h.processElement(request("u3", 2, "i2"), 8);
            h.processElement(request("u4", 2, "i4"), 9); // third request: the batch is full
            List<ScoringTask> out = h.extractOutputValues();
            assertThat(out).extracting(t -> t.userId).containsExactly("u0", "u1", "u1", "u2", "u3", "u4");
            assertThat(out.get(2).kind).isEqualTo(EventKind.INTERACTION);
            assertThat(ids(out.get(2))).containsExactly("i9");
            assertThat(ids(out.get(3))).containsExactly("a", "b");
            assertThat(out.get(3).retrievalSource).isEqualTo(RetrievalSource.REQUEST);
            assertThat(out).filteredOn(t -> t.kind == EventKind.REQUEST && t.userId.compareTo("u2") != 0)
                    .extracting(t -> t.retrievalSource).containsOnly(RetrievalSource.SEQUENCE);

            h.processElement(request("u5", 2, "i5"), 10);
            assertThat(h.extractOutputValues()).hasSize(6);
            h.setProcessingTime(100); // the timer flushes a batch that did not fill
            assertThat(h.extractOutputValues()).hasSize(7);

            h.processElement(request("u6", 2, "i6"), 11);
            h.prepareSnapshotPreBarrier(1); // and so does a checkpoint barrier
            assertThat(h.extractOutputValues()).hasSize(8);
        }
    }

    @Test
    void aUserNoneOfWhoseItemsTheModelKnowsKeepsPopularity() throws Exception {
        try (var h = harness(v1.toString(), 1, false)) {
            h.open();
            h.processElement(request("u1", 2, "new-a", "new-b"), 5);
            h.processElement(request("u2", 2), 5);
            assertThat(h.extractOutputValues()).extracting(t -> t.retrievalSource)
                    .containsExactly(RetrievalSource.POPULARITY, RetrievalSource.POPULARITY);
            assertThat(ids(h.extractOutputValues().get(0))).startsWith("p1");
        }
    }

    /** Released by a test: until then, opening a file whose name starts with "slow" waits (a large model). */
    static volatile CountDownLatch slowGate = new CountDownLatch(0);
    static volatile CountDownLatch slowStarted = new CountDownLatch(0);

    private static CandidateRetrieval.Opener slowOpener() {
        return (file, threads) -> {
            if (file.getFileName().toString().startsWith("slow")) {
                slowStarted.countDown();
                if (!slowGate.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the slow model");
                }
            }
            return SequenceModel.load(file, SharedSessions.Device.CPU, threads);
        };
    }

    private OneInputStreamOperatorTestHarness<ScoringTask, ScoringTask> swappingHarness(String model, OperatorMetrics metrics)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new CandidateRetrieval(new CandidateRetrieval.Settings(model, N, 1, 50, 1, false),
                new ModelSwapper.Backoff(20, 40), slowOpener()), metrics.environment());
    }

    /** One request as the user operator stamps it with the sequence model path in force; its output. */
    private ScoringTask retrieveOne(OneInputStreamOperatorTestHarness<ScoringTask, ScoringTask> h, String path) throws Exception {
        ScoringTask request = request("u1", 2, "i1", "i2");
        request.sequenceModelPath = path;
        int before = h.extractOutputValues().size();
        h.processElement(request, 5);
        List<ScoringTask> out = h.extractOutputValues();
        assertThat(out).hasSize(before + 1);
        return out.get(before);
    }

    /** A control record as the user operator hands it on: passed on in order, after what was buffered. */
    private static void control(OneInputStreamOperatorTestHarness<ScoringTask, ScoringTask> h, String path) throws Exception {
        int before = h.extractOutputValues().size();
        h.processElement(ScoringTask.modelControl(true, path), 0);
        assertThat(h.extractOutputValues()).hasSize(before + 1).last().extracting(t -> t.kind).isEqualTo(EventKind.CONTROL);
    }

    @Test
    void keepsRetrievingWithTheOldModelWhileTheNewOneOpensAndWithTheNewOneAfterwards() throws Exception {
        Path slowV2 = Files.copy(v2, dir.resolve("slow-v2.onnx"));
        slowGate = new CountDownLatch(1);
        slowStarted = new CountDownLatch(1);
        try (OperatorMetrics metrics = new OperatorMetrics(); var h = swappingHarness(v1.toString(), metrics);
                CapturedLog log = CapturedLog.of(CandidateRetrieval.class)) {
            h.open();
            CandidateRetrieval retrieval = (CandidateRetrieval) h.getOperator();
            assertThat(retrieveOne(h, null).retrievalModelVersion).isEqualTo("seq-v1");
            control(h, slowV2.toString());
            assertThat(slowStarted.await(5, TimeUnit.SECONDS)).as("the new model is opening").isTrue();
            for (int i = 0; i < 5; i++) {
                ScoringTask out = retrieveOne(h, slowV2.toString());
                assertThat(out.retrievalSource).isEqualTo(RetrievalSource.SEQUENCE);
                assertThat(out.retrievalModelVersion).isEqualTo("seq-v1");
            }
            assertThat(metrics.value("sequenceModelSwapPending")).isEqualTo(1);
            assertThat(metrics.value("sequenceModelLoadFailures")).as("nothing gave up waiting for the model").isZero();

            slowGate.countDown();
            CrmBatchScorerHarnessTest.awaitLoaded(retrieval::swapReady);
            assertThat(retrieveOne(h, slowV2.toString()).retrievalModelVersion).isEqualTo("seq-v2");
            assertThat(metrics.value("sequenceModelSwaps")).isEqualTo(1);
            assertThat(metrics.value("sequenceModelSwapPending")).isZero();
            assertThat(metrics.value("sequenceModelVersionHash")).isEqualTo(CrmBatchScorer.versionHash("seq-v2"));
            assertThat(log.at(Level.INFO)).anySatisfy(line -> assertThat(line).contains("Sequence model swapped in subtask 0: now retrieving with "
                    + slowV2 + " (version seq-v2", "was " + v1 + " (version seq-v1"));
        } finally {
            slowGate.countDown();
        }
    }

    @Test
    void hotSwapsTheSequenceModelAndKeepsTheLastGoodOneCountingAndRetryingFailures() throws Exception {
        Path crmLike = SequenceModelFixture.builder().task(null).build().write(dir.resolve("crm.onnx"));
        try (OperatorMetrics metrics = new OperatorMetrics(); var h = swappingHarness("", metrics);
                CapturedLog log = CapturedLog.of(CandidateRetrieval.class)) {
            h.open();
            CandidateRetrieval retrieval = (CandidateRetrieval) h.getOperator();
            assertThat(retrieveOne(h, null).retrievalModelVersion).isNull(); // no model yet: popularity
            assertThat(metrics.value("sequenceModelVersionHash")).isZero();
            control(h, v1.toString());
            CrmBatchScorerHarnessTest.awaitLoaded(retrieval::swapReady);
            assertThat(retrieveOne(h, v1.toString()).retrievalModelVersion).isEqualTo("seq-v1");
            control(h, v2.toString());
            CrmBatchScorerHarnessTest.awaitLoaded(retrieval::swapReady);
            assertThat(retrieveOne(h, v2.toString()).retrievalModelVersion).isEqualTo("seq-v2");

            // A CTR model given as sequence model: refused, counted, retried; v2 keeps retrieving.
            control(h, crmLike.toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (metrics.value("sequenceModelLoadFailures") < 2) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                assertThat(retrieveOne(h, crmLike.toString()).retrievalModelVersion).isEqualTo("seq-v2");
                Thread.sleep(5);
            }
            assertThat(log.at(Level.ERROR)).singleElement().asString()
                    .contains("Cannot load the sequence model " + crmLike, "not a next-item model", "still retrieving with " + v2);
            // A missing file: the same, with its own reason.
            control(h, dir.resolve("missing.onnx").toString());
            while (log.at(Level.ERROR).size() < 2) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(5);
            }
            assertThat(log.at(Level.ERROR).get(1)).contains("missing.onnx", "not found");
            assertThat(retrieveOne(h, dir.resolve("missing.onnx").toString()).retrievalModelVersion).isEqualTo("seq-v2");
            assertThat(retrieval.currentVersion()).isEqualTo("seq-v2");
            assertThat(metrics.value("sequenceModelSwaps")).isEqualTo(2);
        }
    }

    @Test
    void theShadowKeepsPopularitysTopKBesideTheSequenceModels() throws Exception {
        try (var h = harness(v1.toString(), 1, true)) {
            h.open();
            h.processElement(request("u1", 3, "i1", "i2"), 5);
            ScoringTask out = h.extractOutputValues().get(0);
            assertThat(out.shadowPopularityItems).containsExactly("p1", "p2", "p3");
            assertThat(out.retrievedItems).containsExactly(Arrays.copyOf(ids(out), 3));
        }
    }

    @Test
    void aCtrModelConfiguredAsSequenceModelStopsTheStartNamingIt() throws Exception {
        Path crmLike = SequenceModelFixture.builder().task(null).build().write(dir.resolve("crm.onnx"));
        try (var h = harness(crmLike.toString(), 1, false)) {
            assertThatThrownBy(h::open).hasMessageContaining(crmLike.toString()).hasMessageContaining("not a next-item model");
        }
    }

    @Test
    void retrievesThroughTheUserOperatorsCatalogEndToEnd() throws Exception {
        UserHistory function = new UserHistory(10, Duration.ZERO, Duration.ofDays(1), N, "");
        try (KeyedBroadcastOperatorTestHarness<String, JobEvent, JobEvent, ScoringTask> users = new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(function, List.of(UserHistory.CATALOG, UserHistory.POPULARITY, UserHistory.CONTROL)),
                        e -> e.userId, Types.STRING, 128, 1, 0);
                var retrieval = harness("", 1, true)) {
            users.open();
            retrieval.open();
            for (int i = 1; i <= 60; i++) {
                users.processBroadcastElement(Events.item("i" + i, "Item number " + i, 1990, "Comedy"), 0);
                users.processBroadcastElement(Events.popularity("i" + i, 100 - i), 0);
            }
            users.processElement(Events.interaction("u1", "i5", 5, 1000), 1000);
            users.processElement(Events.interaction("u1", "i9", 4, 2000), 2000);
            users.processElement(Events.request("before-swap", "u1", 3, 3000), 3000);
            users.processBroadcastElement(Events.sequenceModelControl(v1.toString()), 0);
            users.processElement(Events.request("after-swap", "u1", 3, 4000), 4000);
            users.processElement(Events.request("own", "u1", 2, 5000, "i1", "i2"), 5000);
            for (ScoringTask t : users.extractOutputValues()) {
                retrieval.processElement(t, t.timestampMs);
                if (t.kind == EventKind.CONTROL) {
                    // The user operator handed the control record on: the model opens in the background
                    // and serves from the next batch on.
                    assertThat(t.sequenceModelPath).isEqualTo(v1.toString());
                    CrmBatchScorerHarnessTest.awaitLoaded(((CandidateRetrieval) retrieval.getOperator())::swapReady);
                }
            }
            retrieval.prepareSnapshotPreBarrier(1);
            List<ScoringTask> requests = retrieval.extractOutputValues().stream().filter(t -> t.kind == EventKind.REQUEST).toList();
            assertThat(requests).extracting(t -> t.id).containsExactly("before-swap", "after-swap", "own");
            ScoringTask before = requests.get(0);
            assertThat(before.retrievalSource).isEqualTo(RetrievalSource.POPULARITY);
            assertThat(ids(before)).startsWith("i1", "i2", "i3", "i4", "i6"); // most popular, unseen
            ScoringTask after = requests.get(1);
            assertThat(after.retrievalSource).isEqualTo(RetrievalSource.SEQUENCE);
            assertThat(after.retrievalModelVersion).isEqualTo("seq-v1");
            assertThat(ids(after)).hasSize(N).doesNotContain("i5", "i9");
            assertThat(after.candidates[0].title).isEqualTo("Item number " + after.candidates[0].itemId.substring(1));
            assertThat(after.candidates[0].genres).containsExactly("Comedy");
            assertThat(after.shadowPopularityItems).containsExactly("i1", "i2", "i3");
            assertThat(requests.get(2).retrievalSource).isEqualTo(RetrievalSource.REQUEST);
            assertThat(ids(requests.get(2))).containsExactly("i1", "i2");
        }
    }
}
