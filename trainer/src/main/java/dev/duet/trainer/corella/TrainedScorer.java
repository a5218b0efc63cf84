package dev.duet.trainer.corella;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.duet.core.scorer.ScorerBatch;
import dev.duet.core.scorer.ScorerSettings;
import java.util.Map;

/**
 * A trained scorer: weights, configuration and the blend fitted on validation,
 * {@code logit = blendScorer * z + blendCrm * crm_logit + blendBias}, which calibrates the answer
 * (the exported graph ends with the same blend). {@link #rawLogits} is {@code z}.
 */
public record TrainedScorer(ScorerSettings settings, ScorerConfig config, ScorerParameters parameters,
        double blendScorer, double blendCrm, double blendBias) {

    private static final int CHUNK = 2048;

    /** The same scorer with another blend. */
    public TrainedScorer withBlend(double scorer, double crm, double bias) {
        return new TrainedScorer(settings, config, parameters, scorer, crm, bias);
    }

    /** {@code z} of every row (the network before the blend), in float32 through DJL (indexed inputs, as in training). */
    public float[] rawLogits(ScorerBatch batch) {
        ScorerNetwork network = new ScorerNetwork(settings, config);
        float[] out = new float[batch.size()];
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> w = ScorerNetwork.arrays(manager, parameters, DataType.FLOAT32, false);
            NDArray table = network.table(manager, batch, DataType.FLOAT32);
            for (int from = 0; from < batch.size(); from += CHUNK) {
                int to = Math.min(batch.size(), from + CHUNK);
                int[] rows = new int[to - from];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = from + i;
                }
                try (NDManager step = manager.newSubManager()) {
                    NDList in = network.indexedInputs(step, batch.indexed(rows), DataType.FLOAT32);
                    float[] z = network.forwardIndexed(w, table, in).logit().toFloatArray();
                    System.arraycopy(z, 0, out, from, z.length);
                }
            }
        }
        return out;
    }

    /** The blended logits (what the exported graph outputs as {@code logit}). */
    public float[] logits(ScorerBatch batch) {
        float[] z = rawLogits(batch);
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (blendScorer * z[i] + blendCrm * batch.crmLogit(i) + blendBias);
        }
        return z;
    }

    /** sigmoid of {@link #logits}. */
    public float[] probabilities(ScorerBatch batch) {
        float[] z = logits(batch);
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (1 / (1 + Math.exp(-z[i])));
        }
        return z;
    }
}
