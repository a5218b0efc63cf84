package dev.duet.trainer.eval;

import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.trainer.model.ClickModel;

/**
 * The item-popularity baseline: each item's positive rate in training, smoothed towards the global
 * rate with {@value #PRIOR_WEIGHT} pseudo-samples, so that rarely rated items are not extreme.
 * Items unseen in training get the global rate.
 */
public final class PopularityModel implements ClickModel {

    static final double PRIOR_WEIGHT = 10.0;

    private final int fields;
    private final int itemOffset;
    private final float[] rateByItemRow;

    private PopularityModel(int fields, int itemOffset, float[] rateByItemRow) {
        this.fields = fields;
        this.itemOffset = itemOffset;
        this.rateByItemRow = rateByItemRow;
    }

    /** Counts positives per item in the encoded training split. */
    public static PopularityModel fit(FeatureEncoding encoding, EncodedBatch train) {
        int items = encoding.vocabulary(FeatureEncoding.ITEM).size();
        int offset = encoding.offset(FeatureEncoding.ITEM);
        double[] positives = new double[items];
        double[] counts = new double[items];
        double totalPositive = 0;
        int f = encoding.fieldCount();
        for (int row = 0; row < train.size(); row++) {
            int item = (int) train.categorical[row * f + FeatureEncoding.ITEM] - offset;
            counts[item]++;
            positives[item] += train.labels[row];
            totalPositive += train.labels[row];
        }
        double prior = train.size() == 0 ? 0.5 : totalPositive / train.size();
        float[] rates = new float[items];
        for (int i = 0; i < items; i++) {
            rates[i] = (float) ((positives[i] + PRIOR_WEIGHT * prior) / (counts[i] + PRIOR_WEIGHT));
        }
        // The out-of-vocabulary row gathers every unseen item: give it the global rate.
        rates[0] = (float) prior;
        return new PopularityModel(f, offset, rates);
    }

    @Override
    public String name() {
        return "popularity";
    }

    @Override
    public float[] predict(EncodedBatch batch) {
        float[] out = new float[batch.size()];
        for (int row = 0; row < out.length; row++) {
            out[row] = rateByItemRow[(int) batch.categorical[row * fields + FeatureEncoding.ITEM] - itemOffset];
        }
        return out;
    }
}
