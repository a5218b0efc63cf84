package dev.duet.trainer.nextitem;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the next-item networks ({@link SasRecModel}, {@link Gru4RecModel}) share: parameters in a
 * DJL {@link NDManager} on the PyTorch engine, an item table of {@code rows} rows (row 0 padding)
 * that is both the input embedding and the output layer, a sequence output {@code [B, L, D]} whose
 * last position is the user vector, and the full-softmax loss {@link SasRecTrainer} minimises.
 */
public abstract sealed class SequenceNetwork implements NextItemScorer, AutoCloseable
        permits SasRecModel, Gru4RecModel {

    /** The item table; its name in {@link #parameters()} and the ONNX graphs. */
    static final String ITEM_EMBEDDING = "item_embedding";

    private final SasRecConfig config;
    private final int rows;
    private final DataType dataType;
    private final NDManager manager;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    SequenceNetwork(SasRecConfig config, int rows, DataType dataType) {
        this.config = config;
        this.rows = rows;
        this.dataType = dataType;
        this.manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    /**
     * The network's output at every position, {@code [B, L, D]}; the last position's vector is the
     * user vector that scores items by dot product with the item table.
     */
    abstract NDArray sequenceOutput(NDManager m, int[][] histories, boolean training);

    final void add(String name, float[] values, int... shape) {
        long[] dims = Arrays.stream(shape).asLongStream().toArray();
        NDArray array = manager.create(values, new Shape(dims)).toType(dataType, false);
        array.setRequiresGradient(true);
        parameters.put(name, array);
        shapes.put(name, shape);
    }

    /** Xavier-normal values for a {@code fanIn x fanOut} matrix. */
    static float[] xavier(Random random, int fanIn, int fanOut) {
        double std = Math.sqrt(2.0 / (fanIn + fanOut));
        float[] w = new float[fanIn * fanOut];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * std);
        }
        return w;
    }

    final NDArray p(String name) {
        return parameters.get(name);
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

    /** Names in parameter order (for tests and the exporter). */
    public List<String> parameterNames() {
        return new ArrayList<>(parameters.keySet());
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

    /** {@code [B, L]} of 1 where the history holds an item, 0 at padding. */
    final NDArray itemMask(NDArray history) {
        return history.neq(0).toType(dataType, false);
    }

    /**
     * Mean cross-entropy of the full softmax over all rows for the targets {@code [B, L]} (0 = no
     * loss at that position); with {@code config.allPositions()} false only the last column counts.
     */
    NDArray loss(NDManager m, int[][] histories, int[][] targets, boolean training) {
        NDArray encoded = sequenceOutput(m, histories, training);
        NDArray items = p(ITEM_EMBEDDING);
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
            NDArray encoded = sequenceOutput(m, histories, false);
            float[] flat = encoded.get(new NDIndex(":, -1, :")).toType(DataType.FLOAT32, false).toFloatArray();
            return split(flat, histories.length, config.dim());
        }
    }

    @Override
    public float[][] catalogScores(int[][] histories) {
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            NDArray encoded = sequenceOutput(m, histories, false);
            NDArray scores = encoded.get(new NDIndex(":, -1, :")).matMul(p(ITEM_EMBEDDING).transpose());
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

    NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
