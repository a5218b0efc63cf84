package dev.duet.trainer.model;

import dev.duet.core.features.EncodedBatch;

/** A click-through model over Duet's feature encoding: one probability per encoded row. */
public interface ClickModel {

    /** A short name for reports, e.g. "dcnv2" or "logistic-regression". */
    String name();

    /** Click probabilities of the batch's {@link EncodedBatch#size()} rows. */
    float[] predict(EncodedBatch batch);
}
