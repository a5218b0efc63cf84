package dev.duet.core.routing;

import dev.duet.core.metrics.BinaryMetrics;

/**
 * The selective gate: how much the LLM is trusted on a sample, {@code sigmoid(w . [cold(u),
 * tail(i), uncertainty] + b)}, every feature in [0, 1].
 *
 * <ul>
 *   <li>{@code cold(u) = max(0, 1 - historyLength / warmHistory)}: 1 for a user without history.
 *   <li>{@code tail(i) = max(0, 1 - ln(1 + popularity) / ln(1 + headPopularity))}: 1 for an unseen
 *       item, 0 from {@code headPopularity} interactions on.
 *   <li>{@code uncertainty = H(p) / ln 2}: the CRM's entropy normalised to [0, 1].
 * </ul>
 */
public final class SelectiveGate {

    /** Default history length from which a user counts as warm (the protocol's K). */
    public static final int DEFAULT_WARM_HISTORY = 10;
    /** Default popularity from which an item counts as a head item. */
    public static final double DEFAULT_HEAD_POPULARITY = 100;

    private final GateWeights weights;
    private final int warmHistory;
    private final double headPopularity;

    public SelectiveGate(GateWeights weights, int warmHistory, double headPopularity) {
        if (warmHistory < 1) {
            throw new IllegalArgumentException("warmHistory must be positive");
        }
        if (!(headPopularity > 0)) {
            throw new IllegalArgumentException("headPopularity must be positive");
        }
        this.weights = weights;
        this.warmHistory = warmHistory;
        this.headPopularity = headPopularity;
    }

    public SelectiveGate(GateWeights weights) {
        this(weights, DEFAULT_WARM_HISTORY, DEFAULT_HEAD_POPULARITY);
    }

    public double cold(int historyLength) {
        return Math.max(0, 1 - (double) historyLength / warmHistory);
    }

    public double tail(double popularity) {
        double p = Math.max(0, popularity);
        return Math.max(0, 1 - Math.log1p(p) / Math.log1p(headPopularity));
    }

    /** The CRM's entropy in [0, 1] (1 at p = 0.5). */
    public static double uncertainty(double probability) {
        return BinaryMetrics.entropy(probability) / Math.log(2);
    }

    /** The gate's output in (0, 1) for the three features. */
    public double combine(double cold, double tail, double uncertainty) {
        double z = weights.cold() * cold + weights.tail() * tail + weights.uncertainty() * uncertainty + weights.bias();
        return 1 / (1 + Math.exp(-z));
    }

    /** The gate's output for a sample. */
    public double score(int historyLength, double itemPopularity, double probability) {
        return combine(cold(historyLength), tail(itemPopularity), uncertainty(probability));
    }

    public GateWeights weights() {
        return weights;
    }
}
