package dev.duet.trainer.model;

import dev.duet.core.features.EncodedBatch;

/** Forward and backward passes over a block of rows, with its own buffers; not thread-safe. */
public interface ModelWorker {

    /**
     * Runs forward and backward over {@code count} rows. Row {@code i} of the block is source row
     * {@code index[start + i]} (or {@code start + i} when {@code index} is null) and writes its
     * lookup gradients at position {@code outBase + i}.
     *
     * @param lossScale the factor of every sample's loss (1 / mini-batch size)
     * @param tableL2 L2 strength on looked-up table rows (per active lookup, times lossScale)
     * @param denseGrad accumulates the gradient of the dense parameters
     * @param lookupGrad receives [outBase + i, lookup, tableWidth] gradients of the table lookups
     * @param lookupRows receives [outBase + i, lookup] table rows, -1 for lookups without gradient
     * @return this block's share of the loss (scaled cross-entropy plus table L2)
     */
    double forwardBackward(
            EncodedBatch src,
            int[] index,
            int start,
            int count,
            int outBase,
            float lossScale,
            float tableL2,
            float[] denseGrad,
            float[] lookupGrad,
            int[] lookupRows);

    /** Probabilities of source rows {@code start .. start + count} into {@code out[outOff..]}. */
    void predict(EncodedBatch src, int start, int count, float[] out, int outOff);
}
