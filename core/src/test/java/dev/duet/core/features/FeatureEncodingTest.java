package dev.duet.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.ItemInfo;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.core.data.UserInfo;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.core.samples.SampleSplit;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class FeatureEncodingTest {

    private final Dataset ds =
            new SyntheticDatasetGenerator(SyntheticConfig.builder().users(200).items(300).ratings(8000).build())
                    .generate();
    private final SampleSplit split = SampleBuilder.build(ds);
    private final FeatureEncoding encoding = FeatureEncoding.fit(split.train(), ds);

    /**
     * The streaming job encodes with item columns computed once per catalog entry; rows must equal
     * the plain path's, for known and unknown items, years and genres.
     */
    @Test
    void precomputedItemColumnsEncodeAsTheLookups() {
        List<Sample> samples = split.test().subList(0, 200);
        EncodedBatch plain = new EncodedBatch(encoding, samples.size() + 1);
        EncodedBatch columns = new EncodedBatch(encoding, samples.size() + 1);
        for (Sample s : samples) {
            encoding.encode(s, ds.item(s.itemId()), ds.user(s.userId()), plain);
            FeatureEncoding.ItemColumns[] history = new FeatureEncoding.ItemColumns[s.historyItems().length];
            for (int i = 0; i < history.length; i++) {
                ItemInfo h = ds.item(s.historyItems()[i]);
                history[i] = encoding.itemColumns(h.itemId(), h.year(), h.genres());
            }
            ItemInfo item = ds.item(s.itemId());
            encoding.encode(s, encoding.itemColumns(item.itemId(), item.year(), item.genres()), history, ds.user(s.userId()),
                    columns);
        }
        // An item nobody knows: new id, no year, a genre the encoding never saw next to a known one.
        Sample s = samples.get(0);
        Sample unknown = new Sample(s.userId(), "never-seen", s.timestampMs(), s.rating(), s.label(), s.historyItems(),
                s.historyRatings());
        List<String> genres = List.of("No Such Genre", encoding.genreNames().get(0));
        encoding.encode(unknown, new ItemInfo("never-seen", "?", 0, genres), ds.user(s.userId()), plain);
        encoding.encode(unknown, encoding.itemColumns("never-seen", 0, genres), null, ds.user(s.userId()), columns);
        assertSameInputs(columns, plain);
        assertThat(columns.labels).isEqualTo(plain.labels);
    }

    @Test
    void itemColumnsOfAnotherEncodingAreRefused() {
        FeatureEncoding other = FeatureEncoding.fromJson(encoding.toJson());
        Sample s = split.test().get(0);
        var foreign = other.itemColumns(s.itemId(), 1990, List.of());
        assertThatThrownBy(() -> encoding.encode(s, foreign, null, ds.user(s.userId()), new EncodedBatch(encoding, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another encoding");
    }

    @Test
    void yearBucketIndicesAreTheVocabularysIndicesOfTheBuckets() {
        Vocabulary years = encoding.vocabulary(6);
        int known = 0;
        for (int year = -10; year <= 2400; year++) {
            int expected = years.indexOf(FeatureEncoding.yearBucket(year));
            assertThat(encoding.yearBucketIndex(year)).as("year %d", year).isEqualTo(expected);
            known += expected == Vocabulary.OOV ? 0 : 1;
        }
        assertThat(known).isGreaterThan(0);
    }

    @Test
    void zipPrefixIsTheTrimmedUpperCasedFirstTwoCharacters() {
        for (String zip : new String[] {"94110", "ab123", "Ab 12", " 9411", "  ", "", "9", "k2", "K2x", "E1 6AN", "\u00df9x", "1\u00e9x",
                "12", " a1b"}) {
            String z = zip.trim().toUpperCase(Locale.ROOT);
            String expected = z.isBlank() ? "" : z.length() <= 2 ? z : z.substring(0, 2);
            assertThat(FeatureEncoding.zipPrefix(zip)).as("'%s'", zip).isEqualTo(expected);
        }
        assertThat(FeatureEncoding.zipPrefix(null)).isEmpty();
    }

    @Test
    void jsonRoundTripEncodesIdentically() {
        FeatureEncoding copy = FeatureEncoding.fromJson(encoding.toJson());
        EncodedBatch a = encode(encoding);
        EncodedBatch b = encode(copy);
        assertSameInputs(b, a);
        assertThat(copy.embeddingRows()).isEqualTo(encoding.embeddingRows());
    }

    /**
     * A request's candidate rows share one user, profile and history (the same objects), and the
     * encoding then copies the previous row's user side instead of looking it up again: the rows
     * must equal those of samples with fresh copies of everything, which the memo cannot match.
     */
    @Test
    void rowsSharingAUserSideEncodeAsIfEachWereAlone() {
        List<Sample> base = split.test().subList(0, 30);
        EncodedBatch shared = new EncodedBatch(encoding, 90);
        EncodedBatch fresh = new EncodedBatch(encoding, 90);
        for (Sample s : base) {
            var user = ds.user(s.userId());
            for (Sample other : split.test().subList(30, 33)) { // three candidates per request
                Sample candidate = new Sample(s.userId(), other.itemId(), s.timestampMs(), 0, -1, s.historyItems(),
                        s.historyRatings());
                encoding.encode(candidate, ds.item(other.itemId()), user, shared);
                Sample alone = new Sample(new String(s.userId()), other.itemId(), s.timestampMs(), 0, -1,
                        s.historyItems().clone(), s.historyRatings().clone());
                encoding.encode(alone, ds.item(other.itemId()), new UserInfo(user.userId(),
                        user.gender(), user.age(), user.occupation(), user.zip()), fresh);
            }
        }
        assertSameInputs(shared, fresh);
        // And a batch reused after clear() does not carry the memo over to a different user.
        shared.clear();
        Sample first = base.get(0);
        Sample second = base.get(1);
        encoding.encode(first, ds.item(first.itemId()), ds.user(first.userId()), shared);
        encoding.encode(second, ds.item(second.itemId()), ds.user(second.userId()), shared);
        EncodedBatch single = new EncodedBatch(encoding, 1);
        encoding.encode(second, ds.item(second.itemId()), ds.user(second.userId()), single);
        int f = encoding.fieldCount();
        for (int j = 0; j < f; j++) {
            assertThat(shared.categorical[f + j]).isEqualTo(single.categorical[j]);
        }
    }

    @Test
    void unseenIdsFallIntoTheOutOfVocabularyRow() {
        Sample s = new Sample("new-user", "new-item", 0, 5, 1, new String[] {"new-item-2"}, new float[] {5});
        EncodedBatch batch = new EncodedBatch(encoding, 1);
        encoding.encode(s, ds.item("new-item"), ds.user("new-user"), batch);
        assertThat(batch.categorical[FeatureEncoding.USER]).isEqualTo(encoding.offset(FeatureEncoding.USER));
        assertThat(batch.categorical[FeatureEncoding.ITEM]).isEqualTo(encoding.offset(FeatureEncoding.ITEM));
        assertThat(batch.historyItems[0]).isEqualTo(encoding.offset(FeatureEncoding.ITEM));
        assertThat(batch.historyMask[0]).isEqualTo(1f);
        assertThat(batch.historyMask[1]).isEqualTo(0f);
        assertThat(batch.historyRatings[0]).isEqualTo(1f);
        ItemStatistics stats = encoding.itemStatistics();
        float unknownMeanRating = (float) stats.globalMeanRating() + stats.meanRating(Vocabulary.OOV);
        // History length share, mean rating, spread, liked share, rating above the (unknown)
        // item's mean, the history's like rate; then the unknown target: all at the global values.
        assertThat(batch.dense).containsExactly(0.1f, 1f, 0f, 1f, 1f - unknownMeanRating, 0f, 0f, 0f, 0f);
    }

    @Test
    void genreWeightsSumToOneAndIdsStayInTheirField() {
        EncodedBatch batch = encode(encoding);
        for (int row = 0; row < batch.size(); row++) {
            float sum = 0;
            for (int g = 0; g < batch.genres(); g++) {
                sum += batch.genreWeights[row * batch.genres() + g];
            }
            assertThat(sum).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
            for (int f = 0; f < batch.fields(); f++) {
                long id = batch.categorical[row * batch.fields() + f];
                assertThat(id).isBetween((long) encoding.offset(f), (long) encoding.offset(f) + encoding.vocabulary(f).size() - 1);
            }
        }
    }

    /** Model files written before the item statistics (format 1) still load and encode as then. */
    @Test
    void formatOneEncodingsAreReadWithTheirTwoDenseColumns() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(encoding.toJson());
        assertThat(root.path("format").asInt()).isEqualTo(2);
        root.remove("item_statistics");
        root.put("format", 1);
        FeatureEncoding old = FeatureEncoding.fromJson(json.writeValueAsString(root));
        assertThat(old.format()).isEqualTo(1);
        assertThat(old.denseWidth()).isEqualTo(FeatureEncoding.DENSE);
        assertThat(old.itemStatistics()).isNull();
        assertThat(FeatureEncoding.fromJson(old.toJson()).format()).isEqualTo(1);
        EncodedBatch a = encode(old);
        EncodedBatch b = encode(encoding);
        assertThat(a.categorical).isEqualTo(b.categorical);
        assertThat(a.historyItems).isEqualTo(b.historyItems);
        for (int r = 0; r < a.size(); r++) {
            for (int j = 0; j < FeatureEncoding.DENSE; j++) {
                assertThat(a.dense[r * 2 + j]).isEqualTo(b.dense[r * encoding.denseWidth() + j]);
            }
        }
        // Format 2 without its statistics is refused, naming what is missing.
        root.put("format", 2);
        assertThatThrownBy(() -> FeatureEncoding.fromJson(json.writeValueAsString(root)))
                .hasMessageContaining("item_statistics");
    }

    /** The item columns are the training split's smoothed counts, as the documentation defines them. */
    @Test
    void itemStatisticsAreTheSmoothedTrainingCounts() {
        ItemStatistics stats = encoding.itemStatistics();
        Vocabulary items = encoding.vocabulary(FeatureEncoding.ITEM);
        java.util.Map<String, int[]> counts = new java.util.HashMap<>();
        int likes = 0;
        for (Sample s : split.train()) {
            int[] c = counts.computeIfAbsent(s.itemId(), k -> new int[2]);
            c[0]++;
            c[1] += s.label();
            likes += s.label();
        }
        double global = (double) likes / split.train().size();
        assertThat(stats.globalLikeRate()).isCloseTo(global, org.assertj.core.data.Offset.offset(1e-12));
        int max = counts.values().stream().mapToInt(c -> c[0]).max().orElseThrow();
        int checked = 0;
        for (java.util.Map.Entry<String, int[]> e : counts.entrySet()) {
            int i = items.indexOf(e.getKey());
            double a = stats.priorWeight();
            double rate = (e.getValue()[1] + a * global) / (e.getValue()[0] + a) - global;
            assertThat((double) stats.likeRate(i)).isCloseTo(rate, org.assertj.core.data.Offset.offset(1e-6));
            assertThat((double) stats.logPopularity(i))
                    .isCloseTo(Math.log1p(e.getValue()[0]) / Math.log1p(max), org.assertj.core.data.Offset.offset(1e-6));
            assertThat(encoding.itemPopularity(e.getKey())).isEqualTo(e.getValue()[0]);
            checked++;
        }
        assertThat(checked).isGreaterThan(50);
        assertThat(stats.likeRate(Vocabulary.OOV)).isZero();
        // The target's three columns of an encoded row are its item's.
        EncodedBatch batch = encode(encoding);
        Sample first = split.test().get(0);
        int i = items.indexOf(first.itemId());
        int d = encoding.denseWidth();
        assertThat(batch.dense[d - 3]).isEqualTo(stats.likeRate(i));
        assertThat(batch.dense[d - 2]).isEqualTo(stats.meanRating(i));
        assertThat(batch.dense[d - 1]).isEqualTo(stats.logPopularity(i));
    }

    @Test
    void malformedJsonIsAClearError() {
        assertThatThrownBy(() -> FeatureEncoding.fromJson("{\"format\": 99}"))
                .hasMessageContaining("unsupported feature encoding format").hasMessageContaining("retrain");
        assertThatThrownBy(() -> FeatureEncoding.fromJson("not json")).hasMessageContaining("malformed");
    }

    private EncodedBatch encode(FeatureEncoding enc) {
        EncodedBatch batch = new EncodedBatch(enc, 50);
        for (Sample s : split.test().subList(0, 50)) {
            enc.encode(s, ds.item(s.itemId()), ds.user(s.userId()), batch);
        }
        return batch;
    }

    /** Every model input of the two batches is equal (labels are not a model input). */
    private static void assertSameInputs(EncodedBatch actual, EncodedBatch expected) {
        assertThat(actual.categorical).isEqualTo(expected.categorical);
        assertThat(actual.genreWeights).isEqualTo(expected.genreWeights);
        assertThat(actual.historyItems).isEqualTo(expected.historyItems);
        assertThat(actual.historyRatings).isEqualTo(expected.historyRatings);
        assertThat(actual.historyMask).isEqualTo(expected.historyMask);
        assertThat(actual.dense).isEqualTo(expected.dense);
    }
}
