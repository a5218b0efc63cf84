package dev.duet.trainer.model;

import java.util.List;

/**
 * A trained model with the story of its training.
 *
 * @param model the model with the weights of the best epoch
 * @param bestEpoch 1-based epoch whose weights were kept
 * @param bestValidAuc validation AUC of that epoch (NaN without validation data)
 * @param epochsRun epochs trained before stopping
 * @param seconds wall time of the whole training
 * @param epochs per-epoch statistics
 */
public record TrainedModel<M extends ClickModel>(
        M model, int bestEpoch, double bestValidAuc, int epochsRun, double seconds,
        List<EpochStats> epochs) {

    public TrainedModel {
        epochs = List.copyOf(epochs);
    }
}
