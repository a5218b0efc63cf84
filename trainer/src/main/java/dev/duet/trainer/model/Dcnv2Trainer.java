package dev.duet.trainer.model;

import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;

/** Trains a {@link Dcnv2Model} on encoded samples. */
public final class Dcnv2Trainer {

    private Dcnv2Trainer() {}

    /**
     * Trains a new model with early stopping on {@code valid} (restoring the best epoch).
     *
     * @param valid validation rows; null or empty trains for {@code maxEpochs}
     */
    public static TrainedModel<Dcnv2Model> train(FeatureEncoding encoding, EncodedBatch train,
            EncodedBatch valid, Dcnv2Config config, TrainingListener listener) {
        Dcnv2Model model = Dcnv2Model.create(encoding, config);
        startAtBaseRate(model, train);
        return MiniBatchTrainer.train(model, train, valid, config.training(), listener);
    }

    /**
     * As {@link #train(FeatureEncoding, EncodedBatch, EncodedBatch, Dcnv2Config, TrainingListener)}
     * with S-LLMR's pairwise teacher term in the loss during training; the returned model is a
     * plain DCNv2 (the term is removed after training, nothing of it reaches the model file).
     */
    public static TrainedModel<Dcnv2Model> train(FeatureEncoding encoding, EncodedBatch train,
            EncodedBatch valid, Dcnv2Config config, TrainingListener listener, PairwiseTeacherTerm term) {
        Dcnv2Model model = Dcnv2Model.create(encoding, config);
        startAtBaseRate(model, train);
        model.setTeacherTerm(term);
        try {
            return MiniBatchTrainer.train(model, train, valid, config.training(), listener, term);
        } finally {
            model.setTeacherTerm(null);
        }
    }

    /** Starts the output bias at the training data's log-odds, so early steps fit interactions. */
    static void startAtBaseRate(TrainableModel model, EncodedBatch train) {
        double positives = 0;
        for (int i = 0; i < train.size(); i++) {
            positives += train.labels[i];
        }
        double rate = Math.min(0.99, Math.max(0.01, positives / Math.max(1, train.size())));
        ParameterGroup bias = model.layout().group("output.bias");
        model.dense()[bias.offset()] = (float) Math.log(rate / (1 - rate));
        model.parametersChanged();
    }
}
