package dev.duet.trainer.model;

/** Training settings of the {@link LogisticRegressionModel} baseline, validated in build(). */
public final class LogisticRegressionConfig {

    private final TrainingConfig training;

    private LogisticRegressionConfig(Builder b) {
        this.training = new TrainingConfig(b.learningRate, b.l2, 0f, b.batchSize, b.maxEpochs,
                b.patience, b.seed, b.threads, b.progressEveryBatches);
    }

    public static Builder builder() {
        return new Builder();
    }

    public TrainingConfig training() {
        return training;
    }

    @Override
    public String toString() {
        return "LogisticRegressionConfig{" + training + "}";
    }

    /** Builds a validated {@link LogisticRegressionConfig}. */
    public static final class Builder {
        private float learningRate = 5e-3f;
        private float l2 = 1e-3f;
        private int batchSize = 256;
        private int maxEpochs = 20;
        private int patience = 2;
        private long seed = 42;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int progressEveryBatches = 0;

        private Builder() {}

        public Builder learningRate(float value) {
            learningRate = value;
            return this;
        }

        /** L2 on the per-value weights a sample looks up (averaged over the batch). */
        public Builder l2(float value) {
            l2 = value;
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

        public Builder patience(int value) {
            patience = value;
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

        public Builder progressEveryBatches(int value) {
            progressEveryBatches = value;
            return this;
        }

        public LogisticRegressionConfig build() {
            return new LogisticRegressionConfig(this);
        }
    }
}
