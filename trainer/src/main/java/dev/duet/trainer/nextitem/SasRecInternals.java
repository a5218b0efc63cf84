package dev.duet.trainer.nextitem;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The package-private pieces of {@link SasRecModel} that models built on its encoder (the RL heads
 * of {@code dev.duet.trainer.rl}) compose: the input arrays, the encoder's sequence output and the
 * model's native memory. A separate file so that {@link SasRecModel} itself stays as it is.
 */
public final class SasRecInternals {

    private SasRecInternals() {}

    /** int64 {@code [B, L]} of right-aligned history rows. */
    public static NDArray histories(SasRecModel model, NDManager m, int[][] histories) {
        return model.histories(m, histories);
    }

    /** The additive causal and padding attention mask {@code [B, L, L]}. */
    public static NDArray attentionMask(SasRecModel model, NDManager m, int[][] histories) {
        return model.attentionMask(m, histories);
    }

    /** The encoder's {@code [B, L, D]} output (dropout when {@code training}). */
    public static NDArray encode(SasRecModel model, NDArray history, NDArray mask, boolean training) {
        return model.encode(history, mask, training);
    }

    /** The manager that owns the model's parameters (sub-managers of it hold per-step arrays). */
    public static NDManager manager(SasRecModel model) {
        return model.manager();
    }
}
