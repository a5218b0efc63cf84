package dev.duet.trainer.model;

import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;

/** Trains the {@link LogisticRegressionModel} baseline with the same loop as DCNv2. */
public final class LogisticRegressionTrainer {

    private LogisticRegressionTrainer() {}

    public static TrainedModel<LogisticRegressionModel> train(FeatureEncoding encoding,
            EncodedBatch train, EncodedBatch valid, LogisticRegressionConfig config,
            TrainingListener listener) {
        LogisticRegressionModel model = LogisticRegressionModel.create(encoding);
        Dcnv2Trainer.startAtBaseRate(model, train);
        return MiniBatchTrainer.train(model, train, valid, config.training(), listener);
    }
}
