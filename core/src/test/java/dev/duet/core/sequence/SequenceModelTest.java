package dev.duet.core.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.features.ModelContract;
import dev.duet.core.onnx.SharedSessions;
import dev.duet.core.testing.SequenceModelFixture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceModelTest {

    @TempDir
    Path dir;

    private final SequenceModelFixture fixture = SequenceModelFixture.builder()
            .items(SequenceModelFixture.itemIds(200)).dim(16).maxHistory(5).seed(7).version("seq-v7").build();

    @Test
    void readsTheContractFromTheFile() throws Exception {
        try (SequenceModel model = SequenceModel.load(fixture.write(dir.resolve("model.onnx")))) {
            assertThat(model.catalogSize()).isEqualTo(200);
            assertThat(model.maxHistory()).isEqualTo(5);
            assertThat(model.embeddingDim()).isEqualTo(16);
            assertThat(model.version()).isEqualTo("seq-v7");
            assertThat(model.name()).isEqualTo("mean-pool-fixture");
            assertThat(model.row("i1")).isEqualTo(1);
            assertThat(model.row("i200")).isEqualTo(200);
            assertThat(model.row("nope")).isEqualTo(SequenceModelContract.PADDING_ROW);
            assertThat(model.itemId(37)).isEqualTo("i37");
        }
        // A folder holding model.onnx loads too.
        try (SequenceModel model = SequenceModel.load(dir)) {
            assertThat(model.catalogSize()).isEqualTo(200);
        }
    }

    @Test
    void historiesAreRightAlignedAndSkipUnknownItems() throws Exception {
        try (SequenceModel model = SequenceModel.load(fixture.write(dir.resolve("m.onnx")))) {
            SequenceModel.HistoryRow shortOne = model.historyRow(new String[] {"i3", "x", "i9"});
            assertThat(shortOne.rows()).containsExactly(0, 0, 0, 3, 9);
            assertThat(shortOne.known()).isEqualTo(2);
            assertThat(shortOne.unknown()).isEqualTo(1);
            // Longer than L: the last L known items, oldest first; unknown ones do not take a place.
            SequenceModel.HistoryRow longOne = model.historyRow(new String[] {"i1", "i2", "i3", "i4", "y", "i5", "i6"});
            assertThat(longOne.rows()).containsExactly(2, 3, 4, 5, 6);
            assertThat(longOne.unknown()).isEqualTo(1);
            assertThat(model.unknownHistoryItems()).isEqualTo(2);
            SequenceModel.HistoryRow none = model.historyRow(new String[0]);
            assertThat(none.rows()).containsOnly(0L);
            assertThat(none.known()).isZero();
        }
    }

    @Test
    void behaviourGivesTheItemVectorsOfEveryReadItemAndKnownCandidate() throws Exception {
        try (SequenceModel model = SequenceModel.load(fixture.write(dir.resolve("b.onnx")))) {
            // Seven items, one unknown: the model reads the last five known (i2..i6), not i1.
            String[] history = {"i1", "i2", "i3", "i4", "y", "i5", "i6"};
            String[] candidates = {"i40", "unknown", "i41"};
            SequenceModel.Behaviour b = model.behaviour(List.<String[]>of(history, new String[] {"i9"}),
                    List.<String[]>of(candidates, new String[] {"i8"}));
            assertThat(b.unknownCandidates()).isEqualTo(1);
            float[][] h = b.historyVectors()[0];
            assertThat(h).hasNumberOfRows(7);
            assertThat(h[0]).as("older than the five items read").isNull();
            assertThat(h[4]).as("unknown").isNull();
            int[] rowsOf = {0, 2, 3, 4, 0, 5, 6};
            for (int i : new int[] {1, 2, 3, 5, 6}) {
                assertThat(h[i]).containsExactly(fixture.embeddings()[rowsOf[i]], within(1e-6f));
            }
            float[] user = fixture.userVector(model.historyRow(history).rows());
            assertThat(b.userVectors()[0]).containsExactly(user, within(1e-5f));
            assertThat(b.candidateVectors()[0][0]).containsExactly(fixture.embeddings()[40], within(1e-6f));
            assertThat(b.candidateVectors()[0][1]).isNull();
            assertThat(b.scores()[0][1]).isEqualTo(SequenceModel.UNKNOWN_CANDIDATE_SCORE);
            assertThat(b.scores()[0][2]).isCloseTo(fixture.score(user, 41), within(1e-4f));
            // The same scores as score() gives.
            float[][] plain = model.score(List.<String[]>of(history), List.<String[]>of(candidates)).scores();
            assertThat(b.scores()[0]).containsExactly(plain[0], within(1e-6f));
            assertThat(b.candidateVectors()[1][0]).containsExactly(fixture.embeddings()[8], within(1e-6f));
        }
    }

    @Test
    void topNIsTheExactTopOfTheCatalogWithoutSeenItems() throws Exception {
        try (SequenceModel model = SequenceModel.load(fixture.write(dir.resolve("m.onnx")))) {
            List<String[]> histories = List.of(
                    new String[] {"i1", "i2", "i3"},
                    new String[] {"i10", "i20", "i30", "i40", "i50", "i60", "i70"},
                    new String[] {"i199"});
            // The second user has seen more than the model reads: all of it is excluded.
            List<String[]> exclude = List.of(histories.get(0), histories.get(1), new String[] {"i199", "i5", "unknown"});
            List<SequenceModel.Retrieved> got = model.topN(histories, exclude, 25);
            assertThat(got).hasSize(3);
            for (int u = 0; u < 3; u++) {
                long[] rows = model.historyRow(histories.get(u)).rows();
                float[] user = fixture.userVector(rows);
                Set<String> excluded = Set.of(exclude.get(u));
                List<Integer> expected = IntStream.rangeClosed(1, 200).boxed()
                        .filter(r -> !excluded.contains("i" + r))
                        .sorted(Comparator.<Integer>comparingDouble(r -> -fixture.score(user, r)).thenComparing(r -> r))
                        .limit(25).toList();
                SequenceModel.Retrieved r = got.get(u);
                assertThat(r.itemIds()).hasSize(25).doesNotContainAnyElementsOf(excluded);
                for (int i = 0; i < 25; i++) {
                    assertThat(r.scores()[i]).isCloseTo(fixture.score(user, expected.get(i)), within(1e-4f));
                    if (i > 0) {
                        assertThat(r.scores()[i]).isLessThanOrEqualTo(r.scores()[i - 1]);
                    }
                }
                // Same items as the exact Java ranking (float rounding may only swap near-ties).
                assertThat(new HashSet<>(List.of(r.itemIds())))
                        .isEqualTo(new HashSet<>(expected.stream().map(x -> "i" + x).toList()));
            }
            assertThat(got.get(0).knownHistoryItems()).isEqualTo(3);
            assertThat(got.get(1).knownHistoryItems()).isEqualTo(5);
        }
    }

    @Test
    void topNOfAUserWithNothingKnownSaysSo() throws Exception {
        try (SequenceModel model = SequenceModel.load(fixture.write(dir.resolve("m.onnx")))) {
            SequenceModel.Retrieved r = model.topN(List.<String[]>of(new String[] {"a", "b"}), List.<String[]>of(new String[0]), 3).get(0);
            assertThat(r.knownHistoryItems()).isZero();
            assertThat(r.unknownHistoryItems()).isEqualTo(2);
            assertThat(r.itemIds()).hasSize(3);
        }
    }

    @Test
    void nLargerThanTheCatalogReturnsEveryUnseenItem() throws Exception {
        SequenceModelFixture small = SequenceModelFixture.builder().items(List.of("a", "b", "c", "d")).dim(4).maxHistory(3).build();
        try (SequenceModel model = SequenceModel.load(small.write(dir.resolve("s.onnx")))) {
            SequenceModel.Retrieved r = model.topN(List.<String[]>of(new String[] {"a"}), List.<String[]>of(new String[] {"a", "c"}), 10).get(0);
            assertThat(r.itemIds()).containsExactlyInAnyOrder("b", "d");
        }
    }

    @Test
    void tiesGoToTheLowerRow() {
        float[] scores = {9f, 1f, 2f, 2f, 2f, 0.5f, Float.NaN};
        assertThat(TopRows.select(scores, 0, scores.length, 3, new int[0])).containsExactly(2, 3, 4);
        assertThat(TopRows.select(scores, 0, scores.length, 3, new int[] {3})).containsExactly(2, 4, 1);
        assertThat(TopRows.select(scores, 0, scores.length, 10, new int[0])).containsExactly(2, 3, 4, 1, 5);
    }

    @Test
    void scoresCandidatesAndRanksUnknownOnesLast() throws Exception {
        try (SequenceModel model = SequenceModel.load(fixture.write(dir.resolve("m.onnx")))) {
            List<String[]> histories = List.of(new String[] {"i4", "i8"}, new String[] {"i100"});
            List<String[]> candidates = List.of(new String[] {"i1", "ghost", "i2"}, new String[] {"i150"});
            SequenceModel.CandidateScores s = model.score(histories, candidates);
            assertThat(s.unknownCandidates()).isEqualTo(1);
            assertThat(model.unknownCandidates()).isEqualTo(1);
            float[] user0 = fixture.userVector(model.historyRow(histories.get(0)).rows());
            assertThat(s.scores()[0]).hasSize(3);
            assertThat(s.scores()[0][0]).isCloseTo(fixture.score(user0, 1), within(1e-5f));
            assertThat(s.scores()[0][1]).isEqualTo(SequenceModel.UNKNOWN_CANDIDATE_SCORE);
            assertThat(s.scores()[0][2]).isCloseTo(fixture.score(user0, 2), within(1e-5f));
            float[] user1 = fixture.userVector(model.historyRow(histories.get(1)).rows());
            assertThat(s.scores()[1]).hasSize(1);
            assertThat(s.scores()[1][0]).isCloseTo(fixture.score(user1, 150), within(1e-5f));
        }
    }

    @Test
    void oneSessionPerFileWhateverTheUsers() throws Exception {
        Path file = fixture.write(dir.resolve("shared.onnx"));
        int before = SharedSessions.openSessions();
        try (SequenceModel a = SequenceModel.load(file); SequenceModel b = SequenceModel.load(file)) {
            assertThat(SharedSessions.openSessions()).isEqualTo(before + 1);
            assertThat(a.topN(List.<String[]>of(new String[] {"i1"}), List.<String[]>of(new String[0]), 1).get(0).itemIds())
                    .isEqualTo(b.topN(List.<String[]>of(new String[] {"i1"}), List.<String[]>of(new String[0]), 1).get(0).itemIds());
        }
        assertThat(SharedSessions.openSessions()).isEqualTo(before);
    }

    @Test
    void aCtrModelGivenAsSequenceModelIsNamedAsSuch() throws Exception {
        Path noTask = SequenceModelFixture.builder().task(null).metadata(ModelContract.META_ENCODING, "{}").build()
                .write(dir.resolve("crm.onnx"));
        assertThatThrownBy(() -> SequenceModel.load(noTask))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(noTask.toString())
                .hasMessageContaining("is a CTR (click) model (it carries a feature encoding), not a next-item model")
                .hasMessageContaining("no 'duet.model_task' metadata");
        Path ctr = SequenceModelFixture.builder().task("ctr").build().write(dir.resolve("ctr.onnx"));
        assertThatThrownBy(() -> SequenceModel.load(ctr)).hasMessageContaining("'duet.model_task' = 'ctr'");
        Path other = SequenceModelFixture.builder().task("rating").build().write(dir.resolve("other.onnx"));
        assertThatThrownBy(() -> SequenceModel.load(other)).hasMessageContaining("expected 'next-item'");
        assertThat(SharedSessions.openSessions()).isZero();
    }

    @Test
    void aNextItemModelGivenAsCrmIsNamedAsSuch() throws Exception {
        Path file = fixture.write(dir.resolve("seq.onnx"));
        assertThatThrownBy(() -> CrmModel.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("is a next-item model ('duet.model_task' = 'next-item'), not a CTR (click) model")
                .hasMessageContaining("retrieval.sequence-model");
    }

    @Test
    void brokenMetadataFailsNamingTheKey() throws Exception {
        Path fewerItems = SequenceModelFixture.builder().items(SequenceModelFixture.itemIds(5))
                .metadata(SequenceModelContract.META_ITEM_VOCABULARY, "[\"i1\",\"i2\"]").build().write(dir.resolve("a.onnx"));
        assertThatThrownBy(() -> SequenceModel.load(fewerItems))
                .hasMessageContaining("'catalog_scores' has 6 columns but the item vocabulary has 2 items");
        Path repeated = SequenceModelFixture.builder().items(SequenceModelFixture.itemIds(2))
                .metadata(SequenceModelContract.META_ITEM_VOCABULARY, "[\"i1\",\"i1\"]").build().write(dir.resolve("b.onnx"));
        assertThatThrownBy(() -> SequenceModel.load(repeated)).hasMessageContaining("repeats the item 'i1'");
        Path notJson = SequenceModelFixture.builder().metadata(SequenceModelContract.META_ITEM_VOCABULARY, "[oops").build()
                .write(dir.resolve("c.onnx"));
        assertThatThrownBy(() -> SequenceModel.load(notJson)).hasMessageContaining("'duet.item_vocabulary' is not JSON");
        Path badLength = SequenceModelFixture.builder().metadata(SequenceModelContract.META_MAX_HISTORY, "ten").build()
                .write(dir.resolve("d.onnx"));
        assertThatThrownBy(() -> SequenceModel.load(badLength))
                .hasMessageContaining("metadata 'duet.max_history' must be a positive integer, got 'ten'");
        assertThatThrownBy(() -> SequenceModel.load(dir.resolve("missing.onnx"))).hasMessageContaining("not found");
        assertThat(SharedSessions.openSessions()).isZero();
    }

    @Test
    void batchesGiveWhatSingleCallsGive() throws Exception {
        try (SequenceModel model = SequenceModel.load(fixture.write(dir.resolve("m.onnx")))) {
            List<String[]> histories = new ArrayList<>();
            List<String[]> none = new ArrayList<>();
            for (int u = 0; u < 9; u++) {
                histories.add(new String[] {"i" + (u + 1), "i" + (u * 7 + 3)});
                none.add(new String[0]);
            }
            List<SequenceModel.Retrieved> batch = model.topN(histories, none, 10);
            for (int u = 0; u < 9; u++) {
                assertThat(batch.get(u).itemIds())
                        .containsExactly(model.topN(List.<String[]>of(histories.get(u)), List.<String[]>of(none.get(u)), 10).get(0).itemIds());
            }
        }
    }
}
