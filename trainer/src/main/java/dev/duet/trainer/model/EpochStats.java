package dev.duet.trainer.model;

/**
 * What one training epoch achieved.
 *
 * @param epoch 1-based epoch number
 * @param trainLoss mean training loss over the epoch's mini-batches (cross-entropy plus L2)
 * @param validAuc validation AUC after the epoch (NaN without validation data)
 * @param seconds wall time of the epoch including validation
 * @param best whether this epoch is the best so far (its weights are kept)
 */
public record EpochStats(int epoch, double trainLoss, double validAuc, double seconds, boolean best) {}
