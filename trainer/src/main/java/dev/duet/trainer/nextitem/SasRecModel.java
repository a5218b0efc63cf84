package dev.duet.trainer.nextitem;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import java.util.Random;

/**
 * SASRec on DJL's PyTorch engine (the shared parts in {@link SequenceNetwork}); {@link
 * #encode} is the forward pass both training (with dropout) and inference use, and {@link
 * SequenceOnnxExporter} writes the same computation as an ONNX graph.
 *
 * <p>Per block (as the reference PyTorch SASRec): {@code q = LN(x)}; one-head attention with
 * queries from {@code q}, keys and values from {@code x}, causal and blind to padding keys (a
 * padding position sees only itself); {@code x = q + attention}; {@code y = LN(x)}; {@code x = y +
 * W2 ReLU(W1 y + b1) + b2}; padding positions zeroed. Input: item embedding times sqrt(D) plus the
 * learned position embedding (positions are columns of the right-aligned history). Output: a final
 * LN; an item's score is the dot product of the last position's vector with its item embedding.
 */
public final class SasRecModel extends SequenceNetwork {

    static final float LAYER_NORM_EPSILON = 1e-8f;
    /** Added to the attention logits of forbidden keys; exp of it is exactly 0 in float. */
    static final float MASKED = -1e9f;

    /** A model with freshly initialised weights (Xavier, from {@code config.seed()}). */
    public SasRecModel(SasRecConfig config, int rows, DataType dataType) {
        super(config, rows, dataType);
        Random random = new Random(config.seed());
        int d = config.dim();
        add(ITEM_EMBEDDING, xavier(random, rows, d), rows, d);
        add("position_embedding", xavier(random, config.maxHistory(), d), config.maxHistory(), d);
        for (int b = 0; b < config.blocks(); b++) {
            String p = "block" + b + ".";
            norm(p + "attention_norm");
            for (String proj : new String[] {"query", "key", "value", "output"}) {
                add(p + proj + ".weight", xavier(random, d, d), d, d);
                add(p + proj + ".bias", new float[d], d);
            }
            norm(p + "ffn_norm");
            add(p + "ffn1.weight", xavier(random, d, d), d, d);
            add(p + "ffn1.bias", new float[d], d);
            add(p + "ffn2.weight", xavier(random, d, d), d, d);
            add(p + "ffn2.bias", new float[d], d);
        }
        norm("final_norm");
    }

    private void norm(String name) {
        float[] ones = new float[config().dim()];
        java.util.Arrays.fill(ones, 1f);
        add(name + ".gamma", ones, config().dim());
        add(name + ".beta", new float[config().dim()], config().dim());
    }

    /**
     * The additive attention mask {@code [B, L, L]}: 0 where query {@code i} may look at key {@code
     * j} (j <= i and key j is an item, or j == i), {@link #MASKED} elsewhere.
     */
    NDArray attentionMask(NDManager m, int[][] histories) {
        int length = config().maxHistory();
        float[] mask = new float[histories.length * length * length];
        for (int b = 0; b < histories.length; b++) {
            for (int i = 0; i < length; i++) {
                for (int j = 0; j < length; j++) {
                    boolean allowed = j <= i && (histories[b][j] != 0 || j == i);
                    mask[(b * length + i) * length + j] = allowed ? 0f : MASKED;
                }
            }
        }
        return m.create(mask, new Shape(histories.length, length, length)).toType(dataType(), false);
    }

    @Override
    NDArray sequenceOutput(NDManager m, int[][] histories, boolean training) {
        return encode(histories(m, histories), attentionMask(m, histories), training);
    }

    /**
     * The encoder: {@code [B, L, D]} sequence vectors after the final layer norm.
     *
     * @param history int64 {@code [B, L]}
     * @param mask the additive attention mask of {@link #attentionMask}
     * @param training true to apply dropout
     */
    NDArray encode(NDArray history, NDArray mask, boolean training) {
        int d = config().dim();
        float rate = config().dropout();
        NDArray timeline = history.neq(0).toType(dataType(), false).expandDims(-1);
        NDArray x = Embedding.embedding(history, p(ITEM_EMBEDDING), SparseFormat.DENSE).singletonOrThrow()
                .mul(Math.sqrt(d))
                .add(p("position_embedding"));
        x = dropout(x, rate, training).mul(timeline);
        double scale = 1 / Math.sqrt(d);
        for (int b = 0; b < config().blocks(); b++) {
            String n = "block" + b + ".";
            NDArray q = layerNorm(x, n + "attention_norm");
            NDArray query = linear(q, n + "query");
            NDArray key = linear(x, n + "key");
            NDArray value = linear(x, n + "value");
            NDArray attention = query.matMul(key.transpose(0, 2, 1)).mul(scale).add(mask).softmax(-1);
            attention = dropout(attention, rate, training);
            NDArray attended = linear(attention.matMul(value), n + "output");
            NDArray y = layerNorm(q.add(attended), n + "ffn_norm");
            NDArray hidden = dropout(Activation.relu(linear(y, n + "ffn1")), rate, training);
            NDArray ffn = dropout(linear(hidden, n + "ffn2"), rate, training);
            x = y.add(ffn).mul(timeline);
        }
        return layerNorm(x, "final_norm");
    }

    private NDArray linear(NDArray x, String name) {
        return x.matMul(p(name + ".weight")).add(p(name + ".bias"));
    }

    private NDArray layerNorm(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(config().dim()), p(name + ".gamma"), p(name + ".beta"), LAYER_NORM_EPSILON)
                .singletonOrThrow();
    }

    private static NDArray dropout(NDArray x, float rate, boolean training) {
        if (!training || rate == 0f) {
            return x;
        }
        return Dropout.dropout(x, rate, true).singletonOrThrow();
    }

    @Override
    public String name() {
        return "sasrec";
    }
}
