package dev.duet.trainer.model;

/**
 * What the shared mini-batch trainer needs from a model: its parameters and per-thread workers that
 * compute the loss and its gradients.
 *
 * <p>Parameters come in two parts. The dense part is one flat array described by {@link
 * #layout()} and updated with plain Adam. The sparse part is a table of {@link #tableRows()} rows
 * of {@link #tableWidth()} floats (embeddings, or per-value weights), read through {@link
 * #lookupsPerSample()} lookups per sample; only the rows a mini-batch touches are updated (lazy
 * Adam), which keeps a step's cost independent of the vocabulary size.
 */
public interface TrainableModel extends ClickModel {

    ParameterLayout layout();

    /** The dense parameters, updated in place by the trainer. */
    float[] dense();

    /** The sparse table [tableRows, tableWidth], updated in place by the trainer. */
    float[] table();

    int tableRows();

    int tableWidth();

    /** Table lookups per sample (categorical fields plus history slots). */
    int lookupsPerSample();

    /** A worker with buffers for up to {@code capacity} rows; one per thread. */
    ModelWorker newWorker(int capacity);

    /** Called before each training epoch (1-based), e.g. to vary training-time noise. */
    default void startEpoch(int epoch) {}

    /** Called after the trainer changed the parameters (e.g. to refresh transposed copies). */
    default void parametersChanged() {}
}
