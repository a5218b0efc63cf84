package dev.duet.trainer.nextitem;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * SASRec on DJL's PyTorch engine: the parameters live in an {@link NDManager}; {@link
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
public final class SasRecModel implements NextItemScorer, AutoCloseable {

    static final float LAYER_NORM_EPSILON = 1e-8f;
    /** Added to the attention logits of forbidden keys; exp of it is exactly 0 in float. */
    static final float MASKED = -1e9f;

    private final SasRecConfig config;
    private final int rows;
    private final DataType dataType;
    private final NDManager manager;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    /** A model with freshly initialised weights (Xavier, from {@code config.seed()}). */
    public SasRecModel(SasRecConfig config, int rows, DataType dataType) {
        this.config = config;
        this.rows = rows;
        this.dataType = dataType;
        this.manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        Random random = new Random(config.seed());
        int d = config.dim();
        add("item_embedding", xavier(random, rows, d), rows, d);
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
        float[] ones = new float[config.dim()];
        java.util.Arrays.fill(ones, 1f);
        add(name + ".gamma", ones, config.dim());
        add(name + ".beta", new float[config.dim()], config.dim());
    }

    private void add(String name, float[] values, int... shape) {
        long[] dims = java.util.Arrays.stream(shape).asLongStream().toArray();
        NDArray array = manager.create(values, new Shape(dims)).toType(dataType, false);
        array.setRequiresGradient(true);
        parameters.put(name, array);
        shapes.put(name, shape);
    }

    private static float[] xavier(Random random, int fanIn, int fanOut) {
        double std = Math.sqrt(2.0 / (fanIn + fanOut));
        float[] w = new float[fanIn * fanOut];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * std);
        }
        return w;
    }

    public SasRecConfig config() {
        return config;
    }

    /** N + 1: the rows of the item table, padding included. */
    public int rows() {
        return rows;
    }

    public DataType dataType() {
        return dataType;
    }

    /** The trainable arrays by name, in a fixed order (the exporter and the optimiser use it). */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** A parameter's values as floats (row-major). */
    public float[] weights(String name) {
        return parameters.get(name).toType(DataType.FLOAT32, false).toFloatArray();
    }

    /** A parameter's shape. */
    public int[] shape(String name) {
        return shapes.get(name).clone();
    }

    /** Copies all weights out (to keep the best epoch's). */
    public Map<String, float[]> snapshot() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        parameters.keySet().forEach(name -> copy.put(name, weights(name)));
        return copy;
    }

    /** Puts weights from {@link #snapshot()} back. */
    public void restore(Map<String, float[]> snapshot) {
        try (NDManager temp = manager.newSubManager()) {
            parameters.forEach((name, array) -> {
                NDArray values = temp.create(snapshot.get(name), array.getShape()).toType(dataType, false);
                array.set(new NDIndex("..."), values);
            });
        }
    }

    /** int64 {@code [B, L]} from right-aligned rows. */
    NDArray histories(NDManager m, int[][] histories) {
        int length = config.maxHistory();
        long[] flat = new long[histories.length * length];
        for (int i = 0; i < histories.length; i++) {
            if (histories[i].length != length) {
                throw new IllegalArgumentException("history " + i + " has " + histories[i].length + " columns, the model takes " + length);
            }
            for (int k = 0; k < length; k++) {
                int row = histories[i][k];
                if (row < 0 || row >= rows) {
                    throw new IllegalArgumentException("history " + i + " has row " + row + ", the model has rows 0.." + (rows - 1));
                }
                flat[i * length + k] = row;
            }
        }
        return m.create(flat, new Shape(histories.length, length));
    }

    /**
     * The additive attention mask {@code [B, L, L]}: 0 where query {@code i} may look at key {@code
     * j} (j <= i and key j is an item, or j == i), {@link #MASKED} elsewhere.
     */
    NDArray attentionMask(NDManager m, int[][] histories) {
        int length = config.maxHistory();
        float[] mask = new float[histories.length * length * length];
        for (int b = 0; b < histories.length; b++) {
            for (int i = 0; i < length; i++) {
                for (int j = 0; j < length; j++) {
                    boolean allowed = j <= i && (histories[b][j] != 0 || j == i);
                    mask[(b * length + i) * length + j] = allowed ? 0f : MASKED;
                }
            }
        }
        return m.create(mask, new Shape(histories.length, length, length)).toType(dataType, false);
    }

    /**
     * The encoder: {@code [B, L, D]} sequence vectors after the final layer norm.
     *
     * @param history int64 {@code [B, L]}
     * @param mask the additive attention mask of {@link #attentionMask}
     * @param training true to apply dropout
     */
    NDArray encode(NDArray history, NDArray mask, boolean training) {
        int d = config.dim();
        float rate = config.dropout();
        NDArray timeline = history.neq(0).toType(dataType, false).expandDims(-1);
        NDArray x = Embedding.embedding(history, p("item_embedding"), SparseFormat.DENSE).singletonOrThrow()
                .mul(Math.sqrt(d))
                .add(p("position_embedding"));
        x = dropout(x, rate, training).mul(timeline);
        double scale = 1 / Math.sqrt(d);
        for (int b = 0; b < config.blocks(); b++) {
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

    private NDArray p(String name) {
        return parameters.get(name);
    }

    private NDArray linear(NDArray x, String name) {
        return x.matMul(p(name + ".weight")).add(p(name + ".bias"));
    }

    private NDArray layerNorm(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(config.dim()), p(name + ".gamma"), p(name + ".beta"), LAYER_NORM_EPSILON)
                .singletonOrThrow();
    }

    private static NDArray dropout(NDArray x, float rate, boolean training) {
        if (!training || rate == 0f) {
            return x;
        }
        return Dropout.dropout(x, rate, true).singletonOrThrow();
    }

    /**
     * Mean cross-entropy of the full softmax over all rows for the targets {@code [B, L]} (0 = no
     * loss at that position); with {@code config.allPositions()} false only the last column counts.
     */
    NDArray loss(NDManager m, int[][] histories, int[][] targets, boolean training) {
        NDArray history = histories(m, histories);
        NDArray encoded = encode(history, attentionMask(m, histories), training);
        NDArray items = p("item_embedding");
        int length = config.maxHistory();
        long[] flat;
        NDArray logits;
        if (config.allPositions()) {
            flat = new long[targets.length * length];
            for (int i = 0; i < targets.length; i++) {
                for (int k = 0; k < length; k++) {
                    flat[i * length + k] = targets[i][k];
                }
            }
            logits = encoded.reshape(-1, config.dim()).matMul(items.transpose());
        } else {
            flat = new long[targets.length];
            for (int i = 0; i < targets.length; i++) {
                flat[i] = targets[i][length - 1];
            }
            logits = encoded.get(new NDIndex(":, -1, :")).matMul(items.transpose());
        }
        NDArray target = m.create(flat, new Shape(flat.length, 1));
        NDArray weight = target.neq(0).toType(dataType, false);
        NDArray picked = logits.logSoftmax(-1).gather(target, 1);
        return picked.mul(weight).sum().neg().div(weight.sum().maximum(1));
    }

    /** The last position's vectors {@code [B, D]} (the user vectors), without dropout. */
    public float[][] userVectors(int[][] histories) {
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            NDArray encoded = encode(histories(m, histories), attentionMask(m, histories), false);
            float[] flat = encoded.get(new NDIndex(":, -1, :")).toType(DataType.FLOAT32, false).toFloatArray();
            return split(flat, histories.length, config.dim());
        }
    }

    @Override
    public String name() {
        return "sasrec";
    }

    @Override
    public float[][] catalogScores(int[][] histories) {
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            NDArray encoded = encode(histories(m, histories), attentionMask(m, histories), false);
            NDArray scores = encoded.get(new NDIndex(":, -1, :")).matMul(p("item_embedding").transpose());
            return split(scores.toType(DataType.FLOAT32, false).toFloatArray(), histories.length, rows);
        }
    }

    private static float[][] split(float[] flat, int n, int width) {
        float[][] out = new float[n][width];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * width, out[i], 0, width);
        }
        return out;
    }

    /** Names in parameter order (for tests and the exporter). */
    public List<String> parameterNames() {
        return new ArrayList<>(parameters.keySet());
    }

    NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
