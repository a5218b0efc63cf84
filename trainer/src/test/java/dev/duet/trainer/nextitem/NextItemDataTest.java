package dev.duet.trainer.nextitem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.data.DataFormatException;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.Interaction;
import dev.duet.core.data.SequenceCase;
import dev.duet.core.data.Split;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NextItemDataTest {

    private static Dataset interactions(Interaction... all) {
        return new Dataset("t", List.of(all), List.of(), Map.of(), Map.of(), false);
    }

    @Test
    void everyPositionIsACaseAndTheSplitFollowsTheTargetsTime() {
        // Two users; times interleave. 10 interactions -> 8 cases (each user's first has no history).
        Dataset d = interactions(
                new Interaction("a", "1", 5, 10), new Interaction("b", "7", 5, 15), new Interaction("a", "2", 5, 20),
                new Interaction("b", "8", 5, 25), new Interaction("a", "3", 5, 30), new Interaction("a", "4", 5, 40),
                new Interaction("b", "9", 5, 45), new Interaction("a", "5", 5, 50), new Interaction("a", "6", 5, 60),
                new Interaction("b", "1", 5, 70));
        NextItemData data = NextItemData.from(d, 3);
        assertThat(data.cases()).hasSize(8);
        assertThat(data.counts()).containsEntry("train", 6).containsEntry("valid", 1).containsEntry("test", 1);
        assertThat(data.cases(Split.TRAIN).get(0)).isEqualTo(new NextItemCase("a", List.of("1"), "2", Split.TRAIN));
        assertThat(data.cases(Split.VALID)).containsExactly(new NextItemCase("a", List.of("3", "4", "5"), "6", Split.VALID));
        assertThat(data.cases(Split.TEST)).containsExactly(new NextItemCase("b", List.of("7", "8", "9"), "1", Split.TEST));
        // Candidates exclude everything the user ever touched, later items included.
        assertThat(data.excludedFromCandidates(data.cases(Split.TRAIN).get(0))).containsExactlyInAnyOrder("1", "2", "3", "4", "5", "6");
    }

    @Test
    void sequenceDataKeepsItsSplitAndExcludesOnlyTheCasesOwnItems() {
        Dataset d = new Dataset("lastfm", List.of(), List.of(
                new SequenceCase(List.of(), "1", Split.TRAIN),
                new SequenceCase(List.of("1", "2", "3"), "4", Split.VALID),
                new SequenceCase(List.of("2"), "3", Split.TEST)), Map.of(), Map.of(), true);
        NextItemData data = NextItemData.from(d, 2);
        assertThat(data.splitRule()).isEqualTo(NextItemData.GIVEN_SPLIT);
        NextItemCase valid = data.cases(Split.VALID).get(0);
        assertThat(valid.history()).containsExactly("2", "3");
        assertThat(data.excludedFromCandidates(valid)).isEqualTo(Set.of("2", "3", "4"));
    }

    @Test
    void dataWithoutUsableSequencesFailsWithOneLineNamingTheDataSet() {
        Dataset onePerUser = interactions(new Interaction("a", "1", 5, 1), new Interaction("b", "2", 5, 2));
        assertThatThrownBy(() -> NextItemData.from(onePerUser, 10))
                .isInstanceOf(DataFormatException.class)
                .hasMessage("Data set t has no usable next-item cases (a case needs an item after at least one earlier item of the same user)");
    }

    @Test
    void tooFewCasesForTheSplitSaysWhichSplitIsEmptyAndWhy() {
        // Three users with two items each: 3 cases; 8:1:1 rounds to 2 / 1 / 0.
        Dataset three = interactions(
                new Interaction("a", "1", 5, 1), new Interaction("a", "2", 5, 2),
                new Interaction("b", "1", 5, 3), new Interaction("b", "3", 5, 4),
                new Interaction("c", "2", 5, 5), new Interaction("c", "3", 5, 6));
        assertThatThrownBy(() -> NextItemData.from(three, 10))
                .isInstanceOf(DataFormatException.class)
                .hasMessage("Data set t has no usable next-item cases in its test split (3 cases in all, train 2, valid 1, test 0;"
                        + " too few for the chronological 8:1:1 split)");
    }

    @Test
    void sequenceDataWithAnEmptySplitSaysTheSplitComesFromItsFiles() {
        Dataset noTest = new Dataset("llara", List.of(), List.of(
                new SequenceCase(List.of("1"), "2", Split.TRAIN), new SequenceCase(List.of("2"), "3", Split.VALID)),
                Map.of(), Map.of(), true);
        assertThatThrownBy(() -> NextItemData.from(noTest, 10))
                .isInstanceOf(DataFormatException.class)
                .hasMessage("Data set llara has no usable next-item cases in its test split (2 cases in all, train 1, valid 1, test 0;"
                        + " the split comes from the data set's own files)");
    }

    @Test
    void historiesAreRightAlignedAndUnknownItemsBecomePadding() {
        ItemVocabulary v = ItemVocabulary.of(List.of("x", "y", "z"));
        assertThat(EncodedCases.rightAligned(List.of("x", "q", "z"), v, 5)).containsExactly(0, 0, 1, 0, 3);
        assertThat(EncodedCases.rightAligned(List.of("x", "y", "z", "x"), v, 3)).containsExactly(2, 3, 1);
    }
}
