package dev.duet.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyntheticDatasetGeneratorTest {

    private static final SyntheticConfig SMALL =
            SyntheticConfig.builder().users(300).items(400).ratings(20_000).seed(3).build();

    @Test
    void sameSeedSameData() {
        Dataset a = new SyntheticDatasetGenerator(SMALL).generate();
        Dataset b = new SyntheticDatasetGenerator(SMALL).generate();
        assertThat(a.interactions()).isEqualTo(b.interactions());
        assertThat(a.items()).isEqualTo(b.items());
        Dataset c = new SyntheticDatasetGenerator(
                SyntheticConfig.builder().users(300).items(400).ratings(20_000).seed(4).build()).generate();
        assertThat(c.interactions()).isNotEqualTo(a.interactions());
    }

    @Test
    void hasTheStructureOfRealRatingData() {
        Dataset ds = new SyntheticDatasetGenerator(SMALL).generate();
        assertThat(ds.interactions().size()).isBetween(19_000, 20_000);
        // Ratings cover the scale and skew positive, as MovieLens does (about 55 % >= 4).
        Map<Float, Integer> byRating = new HashMap<>();
        long positives = 0;
        for (Interaction i : ds.interactions()) {
            byRating.merge(i.rating(), 1, Integer::sum);
            positives += i.rating() >= 4 ? 1 : 0;
        }
        assertThat(byRating.keySet()).containsExactlyInAnyOrder(1f, 2f, 3f, 4f, 5f);
        assertThat((double) positives / ds.interactions().size()).isBetween(0.35, 0.75);
        // Zipf-like popularity: the top 10 % of items hold far more than 10 % of ratings.
        Map<String, Integer> counts = new HashMap<>();
        ds.interactions().forEach(i -> counts.merge(i.itemId(), 1, Integer::sum));
        int[] sorted = counts.values().stream().mapToInt(Integer::intValue).sorted().toArray();
        int top = 0;
        for (int k = sorted.length - 1; k >= sorted.length - 40; k--) {
            top += sorted[k];
        }
        assertThat((double) top / ds.interactions().size()).isGreaterThan(0.3);
        // Readable titles with years, genres and profiles.
        ItemInfo item = ds.item("1");
        assertThat(item.title()).matches("(The )?[A-Z][a-z]+ [A-Z][a-z]+( \\d+)? \\(\\d{4}\\)");
        assertThat(item.genres()).isNotEmpty();
        assertThat(ds.user("1").occupation()).isNotEmpty();
    }

    @Test
    void usersAndItemsArriveLate() {
        Dataset ds = new SyntheticDatasetGenerator(SMALL).generate();
        long start = ds.interactions().get(0).timestampMs();
        long end = ds.interactions().get(ds.interactions().size() - 1).timestampMs();
        long lateCut = start + (long) ((end - start) * 0.7);
        Map<String, Long> firstSeenUser = new HashMap<>();
        Map<String, Long> firstSeenItem = new HashMap<>();
        for (Interaction i : ds.interactions()) {
            firstSeenUser.putIfAbsent(i.userId(), i.timestampMs());
            firstSeenItem.putIfAbsent(i.itemId(), i.timestampMs());
        }
        long lateUsers = firstSeenUser.values().stream().filter(t -> t > lateCut).count();
        long lateItems = firstSeenItem.values().stream().filter(t -> t > start + (long) ((end - start) * 0.6)).count();
        assertThat(lateUsers).isGreaterThan(20);
        assertThat(lateItems).isGreaterThan(10);
        // Time order of the log.
        long[] times = ds.interactions().stream().mapToLong(Interaction::timestampMs).toArray();
        assertThat(Arrays.equals(times, Arrays.stream(times).sorted().toArray())).isTrue();
    }

    @Test
    void builderRejectsImpossibleSettings() {
        assertThatThrownBy(() -> SyntheticConfig.builder().users(10).items(10).ratings(1000).build())
                .hasMessageContaining("at most half");
        assertThatThrownBy(() -> SyntheticConfig.builder().coldUserShare(1.5).build())
                .hasMessageContaining("coldUserShare");
    }
}
