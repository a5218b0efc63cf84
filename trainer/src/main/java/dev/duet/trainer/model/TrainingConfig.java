package dev.duet.trainer.model;

/**
 * Optimisation settings shared by every model trained with {@link MiniBatchTrainer}; the model
 * configs ({@link Dcnv2Config}, {@link LogisticRegressionConfig}) validate and produce them.
 *
 * @param learningRate Adam's step size
 * @param tableL2 L2 on looked-up table rows (embeddings), per lookup, averaged over the batch
 * @param denseL2 L2 on dense weight matrices (not biases)
 * @param batchSize samples per mini-batch
 * @param maxEpochs upper bound on passes over the training data
 * @param patience epochs without a validation AUC gain of at least {@link MiniBatchTrainer#MIN_IMPROVEMENT}
 *     before stopping (the best epoch is restored)
 * @param seed seeds initialisation and shuffling
 * @param threads worker threads per mini-batch
 * @param progressEveryBatches call {@link TrainingListener#onProgress} this often; 0 for never
 * @param averageDecay 0 for none, else the decay of an exponential moving average of the weights
 *     (Polyak averaging): validation, early stopping and the returned model use the average
 */
public record TrainingConfig(
        float learningRate,
        float tableL2,
        float denseL2,
        int batchSize,
        int maxEpochs,
        int patience,
        long seed,
        int threads,
        int progressEveryBatches,
        float averageDecay) {

    /** Without weight averaging. */
    public TrainingConfig(float learningRate, float tableL2, float denseL2, int batchSize,
            int maxEpochs, int patience, long seed, int threads, int progressEveryBatches) {
        this(learningRate, tableL2, denseL2, batchSize, maxEpochs, patience, seed, threads,
                progressEveryBatches, 0f);
    }

    public TrainingConfig {
        require(learningRate > 0 && Float.isFinite(learningRate), "learningRate must be > 0");
        require(tableL2 >= 0 && Float.isFinite(tableL2), "l2 must be >= 0");
        require(denseL2 >= 0 && Float.isFinite(denseL2), "denseL2 must be >= 0");
        require(batchSize >= 1, "batchSize must be >= 1");
        require(maxEpochs >= 1, "maxEpochs must be >= 1");
        require(patience >= 1, "patience must be >= 1");
        require(threads >= 1, "threads must be >= 1");
        require(progressEveryBatches >= 0, "progressEveryBatches must be >= 0");
        require(averageDecay == 0f || (averageDecay > 0f && averageDecay < 1f),
                "averageDecay must be 0 (off) or in (0, 1), was " + averageDecay);
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
