package dev.duet.core.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.Datasets;
import dev.duet.core.data.Interaction;
import dev.duet.core.testing.SharedResources;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SampleBuilderTest {

    private static Dataset ml;
    private static SampleSplit split;

    @BeforeAll
    static void load() throws IOException {
        ml = Datasets.load(SharedResources.resolve("data/ml-100k"));
        split = SampleBuilder.build(ml);
    }

    @Test
    void everyRatingIsOneSampleSplit80_10_10InTime() {
        assertThat(split.size()).isEqualTo(100_000);
        assertThat(split.train()).hasSize(80_000);
        assertThat(split.valid()).hasSize(10_000);
        assertThat(split.test()).hasSize(10_000);
        long lastTrain = split.train().stream().mapToLong(Sample::timestampMs).max().orElseThrow();
        long firstValid = split.valid().stream().mapToLong(Sample::timestampMs).min().orElseThrow();
        long lastValid = split.valid().stream().mapToLong(Sample::timestampMs).max().orElseThrow();
        long firstTest = split.test().stream().mapToLong(Sample::timestampMs).min().orElseThrow();
        assertThat(lastTrain).isLessThanOrEqualTo(firstValid);
        assertThat(lastValid).isLessThanOrEqualTo(firstTest);
    }

    @Test
    void labelIsRatingAtLeastFour() {
        for (Sample s : split.train()) {
            assertThat(s.label()).isEqualTo(s.rating() >= 4 ? 1 : 0);
        }
    }

    /** No sample sees its own or a later interaction; its history is exactly the 10 latest before it. */
    @Test
    void noSampleSeesItsOwnOrALaterInteraction() {
        Map<String, List<Interaction>> byUser = new HashMap<>();
        for (Interaction i : ml.interactions()) {
            byUser.computeIfAbsent(i.userId(), u -> new ArrayList<>()).add(i);
        }
        List<Sample> all = new ArrayList<>(split.train());
        all.addAll(split.valid());
        all.addAll(split.test());
        int withHistory = 0;
        for (Sample s : all) {
            List<Interaction> strictlyBefore = new ArrayList<>();
            for (Interaction i : byUser.get(s.userId())) {
                if (i.timestampMs() < s.timestampMs()) {
                    strictlyBefore.add(i);
                }
            }
            strictlyBefore.sort(Comparator.comparingLong(Interaction::timestampMs));
            List<Interaction> expected =
                    strictlyBefore.subList(Math.max(0, strictlyBefore.size() - 10), strictlyBefore.size());
            assertThat(s.historyLength()).isEqualTo(expected.size());
            for (int k = 0; k < expected.size(); k++) {
                // Equal timestamps may be in either order; what matters is the set and the times.
                assertThat(s.historyItems()).contains(expected.get(k).itemId());
                assertThat(s.historyItems()[k]).isNotEqualTo(s.itemId());
            }
            withHistory += s.historyLength() > 0 ? 1 : 0;
        }
        // Only a user's first burst of same-second ratings has no history (about 2 % in ML-100K).
        assertThat(withHistory).isGreaterThan(95_000);
    }

    @Test
    void sameTimestampIsNotHistory() {
        Interaction a = new Interaction("u", "a", 5, 1000);
        Interaction b = new Interaction("u", "b", 4, 2000);
        Interaction c = new Interaction("u", "c", 1, 2000);
        Sample s = SampleBuilder.sample(c, List.of(a, b));
        assertThat(s.historyItems()).containsExactly("a");
        assertThat(s.historyRatings()).containsExactly(5f);
        assertThat(s.label()).isZero();
    }
}
