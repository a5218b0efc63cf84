package dev.duet.trainer.model;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * Architecture and training settings of the DCNv2 CRM. The defaults are tuned on MovieLens-100K
 * (see {@code Dcnv2TrainingTest}); {@link Builder#build()} rejects settings that cannot train.
 */
public final class Dcnv2Config {

    private final int embeddingDim;
    private final int crossLayers;
    private final int[] deepLayers;
    private final float initStd;
    private final float userIdDropout;
    private final float itemIdDropout;
    private final double itemPriorWeight;
    private final Set<HistoryFeature> historyFeatures;
    private final TrainingConfig training;

    private Dcnv2Config(Builder b) {
        this.embeddingDim = b.embeddingDim;
        this.crossLayers = b.crossLayers;
        this.deepLayers = b.deepLayers.clone();
        this.initStd = b.initStd;
        this.userIdDropout = b.userIdDropout;
        this.itemIdDropout = b.itemIdDropout;
        this.itemPriorWeight = b.itemPriorWeight;
        this.historyFeatures = copy(b.historyFeatures);
        this.training = new TrainingConfig(
                b.learningRate, b.l2, b.denseL2, b.batchSize, b.maxEpochs, b.patience, b.seed,
                b.threads, b.progressEveryBatches, b.averageDecay);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.embeddingDim = embeddingDim;
        b.crossLayers = crossLayers;
        b.deepLayers = deepLayers.clone();
        b.initStd = initStd;
        b.userIdDropout = userIdDropout;
        b.itemIdDropout = itemIdDropout;
        b.itemPriorWeight = itemPriorWeight;
        b.historyFeatures = copy(historyFeatures);
        b.learningRate = training.learningRate();
        b.l2 = training.tableL2();
        b.denseL2 = training.denseL2();
        b.batchSize = training.batchSize();
        b.maxEpochs = training.maxEpochs();
        b.patience = training.patience();
        b.seed = training.seed();
        b.threads = training.threads();
        b.progressEveryBatches = training.progressEveryBatches();
        b.averageDecay = training.averageDecay();
        return b;
    }

    public int embeddingDim() {
        return embeddingDim;
    }

    public int crossLayers() {
        return crossLayers;
    }

    public int[] deepLayers() {
        return deepLayers.clone();
    }

    /** Standard deviation of the initial embeddings. */
    public float initStd() {
        return initStd;
    }

    /** Chance that a training sample sees its user as out-of-vocabulary (new users). */
    public float userIdDropout() {
        return userIdDropout;
    }

    /** Chance that a training sample sees its target item as out-of-vocabulary (new items). */
    public float itemIdDropout() {
        return itemIdDropout;
    }

    /** Prior weight (pseudo-samples) of the encoding's item statistics when a run fits it. */
    public double itemPriorWeight() {
        return itemPriorWeight;
    }

    /** The optional history representations of the model's input (see {@link HistoryFeature}). */
    public Set<HistoryFeature> historyFeatures() {
        return copy(historyFeatures);
    }

    public TrainingConfig training() {
        return training;
    }

    private static EnumSet<HistoryFeature> copy(Set<HistoryFeature> set) {
        return set.isEmpty() ? EnumSet.noneOf(HistoryFeature.class) : EnumSet.copyOf(set);
    }

    @Override
    public String toString() {
        return "Dcnv2Config{dim=" + embeddingDim + ", cross=" + crossLayers + ", deep="
                + Arrays.toString(deepLayers)  + ", initStd=" + initStd
                + ", userIdDropout=" + userIdDropout + ", itemIdDropout=" + itemIdDropout + ", itemPrior=" + itemPriorWeight
                + ", history=" + historyFeatures.stream().map(HistoryFeature::optionName).toList()
                + ", " + training + "}";
    }

    /** Builds a validated {@link Dcnv2Config}. */
    public static final class Builder {
        // 8: chosen on ML-100K validation AUC, seeds 42 and 43 (0.7415 and 0.7417 against 16's
        // 0.7408 and 0.7403; docs/sllmr.md, "Targets"), and the cross layers cost a quarter.
        private int embeddingDim = 8;
        private int crossLayers = 3;
        private int[] deepLayers = {128, 64};
        private float initStd = 0.05f;
        // 0.7: chosen on ML-100K validation AUC with encoding format 2 (docs/benchmarks.md,
        // "Choosing the defaults"); 0.5 before. Learning rate 3e-4 with patience 3 (5e-4 and 2
        // before): chosen with dim 8 on validation, seeds 42 and 43 (0.7426 and 0.7432 against
        // 0.7415 and 0.7417; batch 512 gave 0.7424 and 0.7426; docs/sllmr.md, "Targets").
        private float userIdDropout = 0.7f;
        private float itemIdDropout = 0.05f;
        private double itemPriorWeight = dev.duet.core.features.ItemStatistics.DEFAULT_PRIOR_WEIGHT;
        private Set<HistoryFeature> historyFeatures = EnumSet.noneOf(HistoryFeature.class);
        private float learningRate = 3e-4f;
        private float l2 = 1e-4f;
        private float denseL2 = 1e-5f;
        private int batchSize = 256;
        private int maxEpochs = 20;
        private int patience = 3;
        private long seed = 42;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int progressEveryBatches = 0;
        private float averageDecay = 0f;

        private Builder() {}

        public Builder embeddingDim(int value) {
            embeddingDim = value;
            return this;
        }

        public Builder crossLayers(int value) {
            crossLayers = value;
            return this;
        }

        /** Widths of the deep tower's hidden layers; may be empty (cross network only). */
        public Builder deepLayers(int... value) {
            deepLayers = value.clone();
            return this;
        }

        public Builder initStd(float value) {
            initStd = value;
            return this;
        }

        /**
         * Chance that training replaces a sample's user by the out-of-vocabulary user, so that the
         * OOV row is trained and the model learns to judge new users by profile and history.
         */
        public Builder userIdDropout(float value) {
            userIdDropout = value;
            return this;
        }

        /** As {@link #userIdDropout} for the target item. */
        public Builder itemIdDropout(float value) {
            itemIdDropout = value;
            return this;
        }

        /** Prior weight of the item statistics (see {@link dev.duet.core.features.ItemStatistics}). */
        public Builder itemPriorWeight(double value) {
            itemPriorWeight = value;
            return this;
        }

        /** The optional history representations of the model's input; empty for none. */
        public Builder historyFeatures(Set<HistoryFeature> value) {
            TrainingConfig.require(value != null, "historyFeatures must not be null");
            HistoryFeature.requireConsistent(value);
            historyFeatures = copy(value);
            return this;
        }

        public Builder learningRate(float value) {
            learningRate = value;
            return this;
        }

        /** L2 on the embeddings a sample looks up (averaged over the batch). */
        public Builder l2(float value) {
            l2 = value;
            return this;
        }

        /** L2 on the dense weight matrices (cross, deep, output). */
        public Builder denseL2(float value) {
            denseL2 = value;
            return this;
        }

        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        public Builder maxEpochs(int value) {
            maxEpochs = value;
            return this;
        }

        /** Epochs without a better validation AUC before training stops. */
        public Builder patience(int value) {
            patience = value;
            return this;
        }

        /**
         * 0 for none, else the decay of the exponential moving average of the weights that
         * validation, early stopping and the trained model use (see {@link TrainingConfig}).
         */
        public Builder averageDecay(float value) {
            averageDecay = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder threads(int value) {
            threads = value;
            return this;
        }

        /** Report progress every this many mini-batches (0: only per epoch). */
        public Builder progressEveryBatches(int value) {
            progressEveryBatches = value;
            return this;
        }

        public Dcnv2Config build() {
            TrainingConfig.require(embeddingDim >= 1 && embeddingDim <= 1024,
                    "embeddingDim must be in 1..1024, was " + embeddingDim);
            TrainingConfig.require(crossLayers >= 0 && crossLayers <= 16,
                    "crossLayers must be in 0..16, was " + crossLayers);
            TrainingConfig.require(deepLayers != null, "deepLayers must not be null");
            for (int width : deepLayers) {
                TrainingConfig.require(width >= 1 && width <= 4096,
                        "deepLayers widths must be in 1..4096, was " + Arrays.toString(deepLayers));
            }
            TrainingConfig.require(initStd > 0 && Float.isFinite(initStd), "initStd must be > 0");
            TrainingConfig.require(userIdDropout >= 0 && userIdDropout < 1,
                    "userIdDropout must be in [0, 1), was " + userIdDropout);
            TrainingConfig.require(itemIdDropout >= 0 && itemIdDropout < 1,
                    "itemIdDropout must be in [0, 1), was " + itemIdDropout);
            TrainingConfig.require(itemPriorWeight > 0 && Double.isFinite(itemPriorWeight),
                    "itemPriorWeight must be > 0, was " + itemPriorWeight);
            return new Dcnv2Config(this);
        }
    }
}
