package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.sequence.SequenceModel;
import dev.duet.core.testing.SequenceModelFixture;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemDescriptor;
import dev.duet.job.model.JobEvent;
import dev.duet.job.model.RetrievalSource;
import dev.duet.job.model.ScoringTask;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
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

    @Test
    void hotSwapsTheSequenceModelAndKeepsTheLastGoodOne() throws Exception {
        Path crmLike = SequenceModelFixture.builder().task(null).build().write(dir.resolve("crm.onnx"));
        try (var h = harness("", 1, false)) {
            h.open();
            ScoringTask first = request("u1", 2, "i1");
            h.processElement(first, 5); // no model yet: popularity
            ScoringTask second = request("u1", 2, "i1");
            second.sequenceModelPath = v1.toString();
            h.processElement(second, 5);
            ScoringTask third = request("u1", 2, "i1");
            third.sequenceModelPath = v2.toString();
            h.processElement(third, 5);
            ScoringTask broken = request("u1", 2, "i1");
            broken.sequenceModelPath = crmLike.toString(); // a CTR model: refused, v2 stays
            h.processElement(broken, 5);
            ScoringTask missing = request("u1", 2, "i1");
            missing.sequenceModelPath = dir.resolve("missing.onnx").toString();
            h.processElement(missing, 5);
            assertThat(h.extractOutputValues()).extracting(t -> t.retrievalModelVersion)
                    .containsExactly(null, "seq-v1", "seq-v2", "seq-v2", "seq-v2");
            assertThat(((CandidateRetrieval) h.getOperator()).currentVersion()).isEqualTo("seq-v2");
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
                var retrieval = harness("", 16, true)) {
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
