package dev.duet.trainer.model;

/** Hears about training progress, e.g. to print it; called on the training thread. */
public interface TrainingListener {

    /** After every epoch. */
    void onEpoch(EpochStats stats);

    /**
     * Every {@link TrainingConfig#progressEveryBatches()} mini-batches.
     *
     * @param meanLoss mean loss of the epoch's mini-batches so far
     */
    default void onProgress(int epoch, int batchesDone, int batchesPerEpoch, double meanLoss) {}

    /** A listener that ignores everything. */
    static TrainingListener silent() {
        return stats -> {};
    }
}
