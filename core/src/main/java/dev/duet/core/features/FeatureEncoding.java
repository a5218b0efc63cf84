package dev.duet.core.features;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.ItemInfo;
import dev.duet.core.data.UserInfo;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one feature encoding of Duet, used unchanged by the trainer, the streaming job and the LLM
 * worker's prompts. It is fitted on the training split (so ids first seen later are
 * out-of-vocabulary), serialised as JSON into the model file's metadata, and read back from there by
 * every consumer, so that a model file describes itself.
 *
 * <p>Categorical fields share one embedding table: field {@code f}'s index {@code i} is row {@code
 * offset(f) + i}. History items use the item field's rows, so a history item and a target item
 * share their embedding.
 */
public final class FeatureEncoding {

    /** Categorical fields in input column order. */
    public static final List<String> FIELDS =
            List.of("user", "item", "gender", "age", "occupation", "zip_prefix", "year_bucket");

    public static final int USER = 0;
    public static final int ITEM = 1;
    /**
     * Width of the dense input of format-1 encodings: history length share, mean normalised history
     * rating. Format 2 appends {@link #USER_STATISTICS} history columns and {@link
     * #ITEM_STATISTICS} target-item columns; {@link #denseWidth()} gives an encoding's width.
     */
    public static final int DENSE = 2;
    /** Format 2's extra user-side columns, computed from the history and the item statistics. */
    public static final int USER_STATISTICS = 4;
    /** Format 2's target-item columns: smoothed like rate, smoothed mean rating, log popularity. */
    public static final int ITEM_STATISTICS = 3;

    /** The format {@link #fit} writes; format 1 (no item statistics) is still read. */
    public static final int FORMAT_VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Vocabulary> vocabularies;
    private final Vocabulary genres;
    private final int historyLength;
    private final float ratingCenter;
    private final float ratingScale;
    private final boolean implicitFeedback;
    private final int[] offsets;
    private final int rows;
    /** Year-bucket index of every year from {@link #FIRST_CACHED_YEAR}: no string per row. */
    private final int[] yearBucketIndex;
    /** Format 2: per-item training statistics; null for a format-1 encoding. */
    private final ItemStatistics statistics;
    private final int userDense;
    private final int denseWidth;

    private static final int FIRST_CACHED_YEAR = 1800;
    private static final int LAST_CACHED_YEAR = 2199;

    FeatureEncoding(
            List<Vocabulary> vocabularies,
            Vocabulary genres,
            int historyLength,
            float ratingCenter,
            float ratingScale,
            boolean implicitFeedback,
            ItemStatistics statistics) {
        if (vocabularies.size() != FIELDS.size()) {
            throw new IllegalArgumentException("expected " + FIELDS.size() + " vocabularies");
        }
        this.vocabularies = List.copyOf(vocabularies);
        this.genres = genres;
        this.historyLength = historyLength;
        this.ratingCenter = ratingCenter;
        this.ratingScale = ratingScale;
        this.implicitFeedback = implicitFeedback;
        if (statistics != null && statistics.size() != vocabularies.get(ITEM).size()) {
            throw new IllegalArgumentException("item statistics cover " + statistics.size()
                    + " indices, the item vocabulary has " + vocabularies.get(ITEM).size());
        }
        this.statistics = statistics;
        this.userDense = statistics == null ? DENSE : DENSE + USER_STATISTICS;
        this.denseWidth = statistics == null ? DENSE : userDense + ITEM_STATISTICS;
        this.offsets = new int[FIELDS.size()];
        int total = 0;
        for (int f = 0; f < FIELDS.size(); f++) {
            offsets[f] = total;
            total += vocabularies.get(f).size();
        }
        this.rows = total;
        this.yearBucketIndex = new int[LAST_CACHED_YEAR - FIRST_CACHED_YEAR + 1];
        for (int y = FIRST_CACHED_YEAR; y <= LAST_CACHED_YEAR; y++) {
            yearBucketIndex[y - FIRST_CACHED_YEAR] = vocabularies.get(6).indexOf(yearBucket(y));
        }
    }

    /** The year bucket's vocabulary index, as {@code vocabulary(6).indexOf(yearBucket(year))}. */
    int yearBucketIndex(int year) {
        return year >= FIRST_CACHED_YEAR && year <= LAST_CACHED_YEAR
                ? yearBucketIndex[year - FIRST_CACHED_YEAR]
                : vocabularies.get(6).indexOf(yearBucket(year));
    }

    /**
     * Fits the encoding on the training samples: users and items seen in training, profile values
     * and year buckets of those users and items, and all genres of the catalog.
     */
    public static FeatureEncoding fit(List<Sample> train, Dataset dataset) {
        return fit(train, dataset, ItemStatistics.DEFAULT_PRIOR_WEIGHT);
    }

    /** {@link #fit(List, Dataset)} with the item statistics' prior weight (pseudo-samples). */
    public static FeatureEncoding fit(List<Sample> train, Dataset dataset, double priorWeight) {
        Set<String> users = new HashSet<>();
        Set<String> items = new HashSet<>();
        for (Sample s : train) {
            users.add(s.userId());
            items.add(s.itemId());
            for (String h : s.historyItems()) {
                items.add(h);
            }
        }
        List<Set<String>> values = new ArrayList<>();
        for (int f = 0; f < FIELDS.size(); f++) {
            values.add(new HashSet<>());
        }
        values.get(USER).addAll(users);
        values.get(ITEM).addAll(items);
        for (String u : users) {
            UserInfo info = dataset.user(u);
            addIfPresent(values.get(2), info.gender());
            addIfPresent(values.get(3), info.age());
            addIfPresent(values.get(4), info.occupation());
            addIfPresent(values.get(5), zipPrefix(info.zip()));
        }
        Set<String> genreNames = new TreeSet<>();
        for (ItemInfo info : dataset.items().values()) {
            genreNames.addAll(info.genres());
        }
        for (String i : items) {
            addIfPresent(values.get(6), yearBucket(dataset.item(i).year()));
        }
        List<Vocabulary> vocabularies = new ArrayList<>();
        for (Set<String> v : values) {
            vocabularies.add(Vocabulary.of(v));
        }
        boolean implicit = dataset.implicitFeedback();
        float center = implicit ? 0f : 3f;
        float scale = implicit ? 1f : 2f;
        ItemStatistics statistics = ItemStatistics.fit(train, vocabularies.get(ITEM), priorWeight,
                r -> implicit ? 1.0 : (r - center) / scale);
        return new FeatureEncoding(vocabularies, Vocabulary.of(genreNames), SampleBuilder.HISTORY,
                center, scale, implicit, statistics);
    }

    /** This encoding without item statistics, as format 1 wrote it (for reading old model files). */
    FeatureEncoding withoutStatistics() {
        return new FeatureEncoding(vocabularies, genres, historyLength, ratingCenter, ratingScale,
                implicitFeedback, null);
    }

    private static void addIfPresent(Set<String> set, String value) {
        if (value != null && !value.isEmpty()) {
            set.add(value);
        }
    }

    /** The first two characters of a postal code: regional, and shared by enough users to learn. */
    public static String zipPrefix(String zip) {
        if (zip == null || zip.isBlank()) {
            return "";
        }
        if (zip.length() > 2 && isPrefixReady(zip.charAt(0)) && isPrefixReady(zip.charAt(1))) {
            return zip.substring(0, 2); // the common case, without trimming and upper-casing a copy
        }
        String z = zip.trim().toUpperCase(Locale.ROOT);
        return z.length() <= 2 ? z : z.substring(0, 2);
    }

    /** A character that trimming and upper-casing leave as it is: a digit or an ASCII capital. */
    private static boolean isPrefixReady(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
    }

    /** Five-year buckets of release years; "" when unknown. */
    public static String yearBucket(int year) {
        return year <= 0 ? "" : Integer.toString(year / 5 * 5);
    }

    /**
     * An item's columns under one encoding: its embedding row, its year bucket's row, its known
     * genres and (format 2) its index into the item statistics. A caller that keeps catalog entries (the streaming job) computes them once per entry
     * instead of looking the item's strings up again for every row it appears in.
     */
    public static final class ItemColumns {
        private final FeatureEncoding encoding;
        private final long itemRow;
        private final long yearRow;
        private final int[] genreColumns;
        private final int itemIndex;

        private ItemColumns(FeatureEncoding encoding, long itemRow, long yearRow, int[] genreColumns) {
            this.encoding = encoding;
            this.itemRow = itemRow;
            this.yearRow = yearRow;
            this.genreColumns = genreColumns;
            this.itemIndex = (int) (itemRow - encoding.offsets[ITEM]);
        }

        /** Whether these columns were computed by {@code e} (a new model brings a new encoding). */
        public boolean belongsTo(FeatureEncoding e) {
            return encoding == e;
        }
    }

    /** The item's columns; unknown ids, years and genres as {@link #encode} treats them. */
    public ItemColumns itemColumns(String itemId, int year, List<String> genreNames) {
        int[] known = new int[genreNames.size()];
        int n = 0;
        for (String name : genreNames) {
            int index = genres.indexOf(name);
            if (index != Vocabulary.OOV) {
                known[n++] = index - 1;
            }
        }
        return new ItemColumns(this, offsets[ITEM] + vocabularies.get(ITEM).indexOf(itemId),
                offsets[6] + yearBucketIndex(year), Arrays.copyOf(known, n));
    }

    /**
     * Encodes one sample into the next row of {@code batch}.
     *
     * @param sample the sample (its label goes into the batch's labels; -1 for none)
     * @param item the target item's catalog entry
     * @param user the user's profile
     */
    public void encode(Sample sample, ItemInfo item, UserInfo user, EncodedBatch batch) {
        encode(sample, itemColumns(sample.itemId(), item.year(), item.genres()), null, user, batch);
    }

    /**
     * {@link #encode(Sample, ItemInfo, UserInfo, EncodedBatch)} with the target item's columns, and
     * optionally the history items' columns (aligned with {@code sample.historyItems()}; null: look
     * the history ids up), computed beforehand by {@link #itemColumns} of this encoding.
     */
    public void encode(Sample sample, ItemColumns item, ItemColumns[] history, UserInfo user, EncodedBatch batch) {
        if (!item.belongsTo(this)) {
            throw new IllegalArgumentException("item columns of another encoding");
        }
        int row = batch.nextRow();
        int f = FIELDS.size();
        long[] cat = batch.categorical;
        int c = row * f;
        int k = historyLength;
        int hBase = row * k;
        // Rows that share the previous row's user, profile and history objects (a request's
        // candidates) copy its user-side columns: the same lookups would give the same values.
        boolean sameUserSide = row > 0 && batch.memoUser == user
                && batch.memoUserId == sample.userId() && batch.memoHistory == sample.historyItems()
                && batch.memoRatings == sample.historyRatings();
        if (sameUserSide) {
            int p = c - f;
            cat[c] = cat[p];
            System.arraycopy(cat, p + 2, cat, c + 2, 4);
            System.arraycopy(batch.historyItems, hBase - k, batch.historyItems, hBase, k);
            System.arraycopy(batch.historyRatings, hBase - k, batch.historyRatings, hBase, k);
            System.arraycopy(batch.historyMask, hBase - k, batch.historyMask, hBase, k);
            System.arraycopy(batch.dense, (row - 1) * denseWidth, batch.dense, row * denseWidth, userDense);
        } else {
            cat[c] = offsets[USER] + vocabularies.get(USER).indexOf(sample.userId());
            cat[c + 2] = offsets[2] + vocabularies.get(2).indexOf(user.gender());
            cat[c + 3] = offsets[3] + vocabularies.get(3).indexOf(user.age());
            cat[c + 4] = offsets[4] + vocabularies.get(4).indexOf(user.occupation());
            cat[c + 5] = offsets[5] + vocabularies.get(5).indexOf(zipPrefix(user.zip()));
            encodeHistory(sample, history, row, hBase, batch);
        }
        batch.memoUser = user;
        batch.memoUserId = sample.userId();
        batch.memoHistory = sample.historyItems();
        batch.memoRatings = sample.historyRatings();

        cat[c + 1] = item.itemRow;
        cat[c + 6] = item.yearRow;
        if (statistics != null) {
            int d = row * denseWidth + userDense;
            batch.dense[d] = statistics.likeRate(item.itemIndex);
            batch.dense[d + 1] = statistics.meanRating(item.itemIndex);
            batch.dense[d + 2] = statistics.logPopularity(item.itemIndex);
        }

        int g = genres.size() - 1;
        int gBase = row * g;
        for (int j = 0; j < g; j++) {
            batch.genreWeights[gBase + j] = 0f;
        }
        // Unknown genres are dropped and the known share the weight.
        int[] known = item.genreColumns;
        for (int column : known) {
            batch.genreWeights[gBase + column] = 1f / known.length;
        }
        batch.labels[row] = sample.label();
    }

    /** The history block and the dense history (user-side) features of one row. */
    private void encodeHistory(Sample sample, ItemColumns[] columns, int row, int hBase, EncodedBatch batch) {
        int k = historyLength;
        String[] history = sample.historyItems();
        float[] ratings = sample.historyRatings();
        int from = Math.max(0, history.length - k);
        int length = history.length - from;
        Vocabulary itemVocabulary = vocabularies.get(ITEM);
        float ratingSum = 0f;
        float squareSum = 0f;
        float liked = 0f;
        float aboveItemMean = 0f;
        float itemLikeRate = 0f;
        for (int j = 0; j < k; j++) {
            if (j < length) {
                long itemRow = columns != null
                        ? historyRow(columns[from + j], history[from + j])
                        : offsets[ITEM] + itemVocabulary.indexOf(history[from + j]);
                batch.historyItems[hBase + j] = itemRow;
                float r = normalizeRating(ratings[from + j]);
                batch.historyRatings[hBase + j] = r;
                batch.historyMask[hBase + j] = 1f;
                ratingSum += r;
                if (statistics != null) {
                    int index = (int) (itemRow - offsets[ITEM]);
                    squareSum += r * r;
                    liked += implicitFeedback || SampleBuilder.label(ratings[from + j]) == 1 ? 1f : 0f;
                    // The item's mean rating uncentred: how much more this user liked it than others.
                    aboveItemMean += r - (statistics.meanRating(index) + (float) statistics.globalMeanRating());
                    itemLikeRate += statistics.likeRate(index);
                }
            } else {
                batch.historyItems[hBase + j] = offsets[ITEM] + Vocabulary.OOV;
                batch.historyRatings[hBase + j] = 0f;
                batch.historyMask[hBase + j] = 0f;
            }
        }
        int d = row * denseWidth;
        batch.dense[d] = (float) length / k;
        batch.dense[d + 1] = length == 0 ? 0f : ratingSum / length;
        if (statistics != null) {
            float mean = batch.dense[d + 1];
            batch.dense[d + 2] = length == 0 ? 0f : (float) Math.sqrt(Math.max(0f, squareSum / length - mean * mean));
            batch.dense[d + 3] = length == 0 ? 0f : liked / length;
            batch.dense[d + 4] = length == 0 ? 0f : aboveItemMean / length;
            batch.dense[d + 5] = length == 0 ? 0f : itemLikeRate / length;
        }
    }

    private long historyRow(ItemColumns columns, String itemId) {
        if (!columns.belongsTo(this)) {
            throw new IllegalArgumentException("history columns of another encoding for item " + itemId);
        }
        return columns.itemRow;
    }

    /** A rating mapped to about [-1, 1] (MovieLens: (r - 3) / 2); implicit feedback is 1. */
    public float normalizeRating(float rating) {
        return implicitFeedback ? 1f : (rating - ratingCenter) / ratingScale;
    }

    /** Number of categorical fields (columns of the categorical input). */
    public int fieldCount() {
        return FIELDS.size();
    }

    /** Number of genre columns (known genres; unknown ones are dropped). */
    public int genreCount() {
        return genres.size() - 1;
    }

    public int historyLength() {
        return historyLength;
    }

    /** Width of the {@code dense} input: 2 for format 1, 9 for format 2. */
    public int denseWidth() {
        return denseWidth;
    }

    /** The encoding's format: 2 with item statistics, 1 without. */
    public int format() {
        return statistics == null ? 1 : 2;
    }

    /** The item statistics (format 2), or null (format 1). */
    public ItemStatistics itemStatistics() {
        return statistics;
    }

    /** Training-split targets of the item (its popularity); 0 for an unknown item or format 1. */
    public int itemPopularity(String itemId) {
        return statistics == null ? 0 : statistics.targets(vocabularies.get(ITEM).indexOf(itemId));
    }

    /** Rows of the shared embedding table. */
    public int embeddingRows() {
        return rows;
    }

    /** First embedding row of field {@code f}. */
    public int offset(int field) {
        return offsets[field];
    }

    public Vocabulary vocabulary(int field) {
        return vocabularies.get(field);
    }

    public List<String> genreNames() {
        return genres.values();
    }

    public boolean implicitFeedback() {
        return implicitFeedback;
    }

    /** Whether the item was seen in training (else it is encoded as out-of-vocabulary). */
    public boolean knowsItem(String itemId) {
        return vocabularies.get(ITEM).indexOf(itemId) != Vocabulary.OOV;
    }

    /** Whether the user was seen in training. */
    public boolean knowsUser(String userId) {
        return vocabularies.get(USER).indexOf(userId) != Vocabulary.OOV;
    }

    /** The encoding as JSON, for the model file's metadata. */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", format());
        root.put("history_length", historyLength);
        root.put("rating_center", ratingCenter);
        root.put("rating_scale", ratingScale);
        root.put("implicit_feedback", implicitFeedback);
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int f = 0; f < FIELDS.size(); f++) {
            fields.put(FIELDS.get(f), vocabularies.get(f).values());
        }
        root.put("fields", fields);
        root.put("genres", genres.values());
        if (statistics != null) {
            root.put("item_statistics", statistics.toJson());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads an encoding written by {@link #toJson()} of format 2, or of format 1 (model files from
     * before the item statistics: they encode as they did, with a dense input of width 2); fails
     * clearly on anything else.
     */
    @SuppressWarnings("unchecked")
    public static FeatureEncoding fromJson(String json) {
        try {
            Map<String, Object> root = JSON.readValue(json, Map.class);
            Object format = root.get("format");
            int version = format instanceof Number n ? n.intValue() : -1;
            if (version != 1 && version != 2) {
                throw new IllegalArgumentException("unsupported feature encoding format: " + format
                        + " (this version reads formats 1 and 2; retrain the model with ./duet train)");
            }
            Map<String, List<String>> fields = (Map<String, List<String>>) root.get("fields");
            List<Vocabulary> vocabularies = new ArrayList<>();
            for (String name : FIELDS) {
                List<String> values = fields.get(name);
                if (values == null) {
                    throw new IllegalArgumentException("feature encoding lacks field '" + name + "'");
                }
                vocabularies.add(new Vocabulary(values));
            }
            ItemStatistics statistics = version == 1 ? null : ItemStatistics.fromJson(
                    (Map<String, Object>) root.get("item_statistics"), vocabularies.get(ITEM).size());
            return new FeatureEncoding(
                    vocabularies,
                    new Vocabulary((List<String>) root.get("genres")),
                    ((Number) root.get("history_length")).intValue(),
                    ((Number) root.get("rating_center")).floatValue(),
                    ((Number) root.get("rating_scale")).floatValue(),
                    (Boolean) root.get("implicit_feedback"),
                    statistics);
        } catch (JsonProcessingException | ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("malformed feature encoding JSON: " + e.getMessage(), e);
        }
    }
}
