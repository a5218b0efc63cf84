package dev.duet.trainer.nextitem;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.Dropout;
import java.util.Random;

/**
 * GRU4Rec (Hidasi et al., 2016) as a next-item model on DJL's PyTorch engine: one GRU layer of
 * width {@code dim} over the item embeddings of the right-aligned history, trained with the same
 * full softmax on the next item as {@link SasRecModel} and scoring items by the dot product of
 * the last hidden state with the item table (shared with the input, as in SASRec).
 *
 * <p>The cell is PyTorch's GRU ({@code r = s(x Wir + bir + h Whr + bhr)}, {@code z = s(x Wiz + biz
 * + h Whz + bhz)}, {@code n = tanh(x Win + bin + r (h Whn + bhn))}, {@code h' = (1 - z) n + z h})
 * written out step by step rather than DJL's fused {@code GRU} block, so that padding can be
 * skipped: at a padding column the state is carried over unchanged, so a history of k items gives
 * exactly the state of the GRU run over those k items from zero ({@code Gru4RecModelTest} checks
 * this against DJL's fused GRU). The same unrolled cell is what the ONNX graph computes. Dropout
 * (training only) on the input embeddings and on the hidden states.
 */
public final class Gru4RecModel extends SequenceNetwork {

    /** A model with freshly initialised weights (Xavier, from {@code config.seed()}). */
    public Gru4RecModel(SasRecConfig config, int rows, DataType dataType) {
        super(config, rows, dataType);
        Random random = new Random(config.seed());
        int d = config.dim();
        add(ITEM_EMBEDDING, xavier(random, rows, d), rows, d);
        // Columns in PyTorch's gate order: reset, update, candidate.
        add("gru.input_weight", gateColumns(random, d), d, 3 * d);
        add("gru.input_bias", new float[3 * d], 3 * d);
        add("gru.hidden_weight", gateColumns(random, d), d, 3 * d);
        add("gru.hidden_bias", new float[3 * d], 3 * d);
    }

    /** Three {@code d x d} Xavier blocks side by side (each gate initialised as its own matrix). */
    private static float[] gateColumns(Random random, int d) {
        float[] out = new float[d * 3 * d];
        for (int gate = 0; gate < 3; gate++) {
            float[] block = xavier(random, d, d);
            for (int i = 0; i < d; i++) {
                System.arraycopy(block, i * d, out, i * 3 * d + gate * d, d);
            }
        }
        return out;
    }

    @Override
    NDArray sequenceOutput(NDManager m, int[][] histories, boolean training) {
        return encode(histories(m, histories), training);
    }

    /** The hidden state after every column, {@code [B, L, D]} (padding columns repeat the state before). */
    NDArray encode(NDArray history, boolean training) {
        int d = config().dim();
        float rate = config().dropout();
        int length = config().maxHistory();
        NDArray mask = itemMask(history).expandDims(-1);
        NDArray x = dropout(Embedding.embedding(history, p(ITEM_EMBEDDING), SparseFormat.DENSE).singletonOrThrow(), rate, training);
        NDArray inputGates = x.matMul(p("gru.input_weight")).add(p("gru.input_bias"));
        NDArray h = history.getManager().zeros(new Shape(history.getShape().get(0), d), dataType());
        NDList states = new NDList(length);
        for (int t = 0; t < length; t++) {
            NDList gi = inputGates.get(new NDIndex(":, {}, :", t)).split(3, 1);
            NDList gh = h.matMul(p("gru.hidden_weight")).add(p("gru.hidden_bias")).split(3, 1);
            NDArray reset = Activation.sigmoid(gi.get(0).add(gh.get(0)));
            NDArray update = Activation.sigmoid(gi.get(1).add(gh.get(1)));
            NDArray candidate = gi.get(2).add(reset.mul(gh.get(2))).tanh();
            NDArray next = candidate.add(update.mul(h.sub(candidate)));
            h = h.add(mask.get(new NDIndex(":, {}, :", t)).mul(next.sub(h)));
            states.add(h);
        }
        return dropout(NDArrays.stack(states, 1), rate, training);
    }

    private static NDArray dropout(NDArray x, float rate, boolean training) {
        if (!training || rate == 0f) {
            return x;
        }
        return Dropout.dropout(x, rate, true).singletonOrThrow();
    }

    @Override
    public String name() {
        return "gru4rec";
    }
}
