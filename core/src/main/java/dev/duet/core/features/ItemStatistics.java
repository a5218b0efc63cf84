package dev.duet.core.features;

import dev.duet.core.samples.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the training split says about each item of the item vocabulary: how often it was a sample's
 * target, how often it was liked, and the sum of its normalised ratings. Encoding format 2 carries
 * these counts in the model file and turns them into three dense columns per item (smoothed like
 * rate, smoothed mean rating, log popularity), so the trainer and the streaming job compute the
 * same values by a lookup. Under the protocol's global time split most test users are new: what
 * generalises across users (the item's reception, the user's taste relative to it) is what helps.
 *
 * <p>Smoothing: an item with {@code n} training targets, {@code l} likes and rating sum {@code s}
 * has like rate {@code (l + a * g) / (n + a)} and mean rating {@code (s + a * m) / (n + a)}, where
 * {@code g} and {@code m} are the training split's global like rate and mean normalised rating and
 * {@code a} the prior weight; an unknown item gets exactly the global values.
 */
public final class ItemStatistics {

    /** Default prior weight, in pseudo-samples (chosen on validation, see docs/model-contract.md). */
    public static final double DEFAULT_PRIOR_WEIGHT = 10;

    private final double priorWeight;
    private final int[] targets;
    private final int[] likes;
    private final double[] ratingSums;
    private final double globalLikeRate;
    private final double globalMeanRating;
    private final double logMaxTargets;

    // Per vocabulary index: the three dense columns, centred on the global values so that an
    // unknown item contributes 0 (except its popularity, 0 as well).
    private final float[] likeRate;
    private final float[] meanRating;
    private final float[] logPopularity;

    ItemStatistics(double priorWeight, int[] targets, int[] likes, double[] ratingSums) {
        if (!(priorWeight > 0) || !Double.isFinite(priorWeight)) {
            throw new IllegalArgumentException("item statistics prior weight must be > 0, was " + priorWeight);
        }
        if (targets.length != likes.length || targets.length != ratingSums.length) {
            throw new IllegalArgumentException("item statistics arrays differ in length");
        }
        this.priorWeight = priorWeight;
        this.targets = targets.clone();
        this.likes = likes.clone();
        this.ratingSums = ratingSums.clone();
        long n = 0;
        long l = 0;
        double s = 0;
        int max = 0;
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] < 0 || likes[i] < 0 || likes[i] > targets[i]) {
                throw new IllegalArgumentException("item statistics of index " + i + ": " + likes[i]
                        + " likes of " + targets[i] + " targets");
            }
            n += targets[i];
            l += likes[i];
            s += ratingSums[i];
            max = Math.max(max, targets[i]);
        }
        this.globalLikeRate = n == 0 ? 0.5 : (double) l / n;
        this.globalMeanRating = n == 0 ? 0 : s / n;
        this.logMaxTargets = Math.log1p(Math.max(1, max));
        int size = targets.length;
        likeRate = new float[size];
        meanRating = new float[size];
        logPopularity = new float[size];
        for (int i = 0; i < size; i++) {
            double w = targets[i] + priorWeight;
            likeRate[i] = (float) ((likes[i] + priorWeight * globalLikeRate) / w - globalLikeRate);
            meanRating[i] = (float) ((ratingSums[i] + priorWeight * globalMeanRating) / w - globalMeanRating);
            logPopularity[i] = (float) (Math.log1p(targets[i]) / logMaxTargets);
        }
    }

    /**
     * Counts the training split's targets per item vocabulary index.
     *
     * @param normalizedRating maps a raw rating to the encoding's normalised scale
     */
    static ItemStatistics fit(List<Sample> train, Vocabulary items, double priorWeight,
            java.util.function.DoubleUnaryOperator normalizedRating) {
        int size = items.size();
        int[] targets = new int[size];
        int[] likes = new int[size];
        double[] sums = new double[size];
        for (Sample s : train) {
            int i = items.indexOf(s.itemId());
            if (i == Vocabulary.OOV) {
                continue;
            }
            targets[i]++;
            likes[i] += s.label() == 1 ? 1 : 0;
            sums[i] += normalizedRating.applyAsDouble(s.rating());
        }
        return new ItemStatistics(priorWeight, targets, likes, sums);
    }

    /** Smoothed like rate minus the global like rate, by item vocabulary index. */
    public float likeRate(int index) {
        return likeRate[index];
    }

    /** Smoothed mean normalised rating minus the global mean, by item vocabulary index. */
    public float meanRating(int index) {
        return meanRating[index];
    }

    /** {@code ln(1 + targets) / ln(1 + most targets of any item)}, in [0, 1]. */
    public float logPopularity(int index) {
        return logPopularity[index];
    }

    /** Training targets of the item (its popularity), by item vocabulary index. */
    public int targets(int index) {
        return targets[index];
    }

    public double globalLikeRate() {
        return globalLikeRate;
    }

    public double globalMeanRating() {
        return globalMeanRating;
    }

    public double priorWeight() {
        return priorWeight;
    }

    /** Number of indices, equal to the item vocabulary's size (OOV included). */
    public int size() {
        return targets.length;
    }

    /** The JSON object of encoding format 2: prior weight and per-index counts. */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prior_weight", priorWeight);
        List<int[]> counts = new ArrayList<>(targets.length);
        List<Double> sums = new ArrayList<>(targets.length);
        for (int i = 0; i < targets.length; i++) {
            counts.add(new int[] {targets[i], likes[i]});
            sums.add(ratingSums[i]);
        }
        m.put("targets_likes", counts);
        m.put("rating_sums", sums);
        return m;
    }

    @SuppressWarnings("unchecked")
    static ItemStatistics fromJson(Map<String, Object> m, int vocabularySize) {
        if (m == null) {
            throw new IllegalArgumentException("feature encoding format 2 lacks 'item_statistics'");
        }
        Object prior = m.get("prior_weight");
        List<List<Number>> counts = (List<List<Number>>) m.get("targets_likes");
        List<Number> sums = (List<Number>) m.get("rating_sums");
        if (!(prior instanceof Number) || counts == null || sums == null) {
            throw new IllegalArgumentException(
                    "item_statistics needs 'prior_weight', 'targets_likes' and 'rating_sums'");
        }
        if (counts.size() != vocabularySize || sums.size() != vocabularySize) {
            throw new IllegalArgumentException("item_statistics has " + counts.size() + " entries for "
                    + vocabularySize + " item indices");
        }
        int[] targets = new int[vocabularySize];
        int[] likes = new int[vocabularySize];
        double[] ratingSums = new double[vocabularySize];
        for (int i = 0; i < vocabularySize; i++) {
            List<Number> pair = counts.get(i);
            if (pair.size() != 2) {
                throw new IllegalArgumentException("item_statistics entry " + i + " is not [targets, likes]");
            }
            targets[i] = pair.get(0).intValue();
            likes[i] = pair.get(1).intValue();
            ratingSums[i] = sums.get(i).doubleValue();
        }
        return new ItemStatistics(((Number) prior).doubleValue(), targets, likes, ratingSums);
    }
}
