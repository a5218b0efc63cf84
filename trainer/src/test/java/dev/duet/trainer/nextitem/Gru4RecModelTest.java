package dev.duet.trainer.nextitem;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** GRU4Rec's written-out cell is PyTorch's GRU, and padding columns leave the state alone. */
class Gru4RecModelTest {

    private static final int ROWS = 17;
    private static final int LENGTH = 6;
    private static final int DIM = 5;

    @Test
    void theCellEqualsDjlsFusedGruOnTheUnpaddedItems() {
        SasRecTrainer.useThreads(1);
        SasRecConfig config = SasRecConfig.builder().dim(DIM).maxHistory(LENGTH).dropout(0.5f).seed(9).build();
        Random random = new Random(4);
        try (Gru4RecModel model = new Gru4RecModel(config, ROWS, DataType.FLOAT64)) {
            model.parameters().forEach((name, p) -> {
                double[] v = p.toDoubleArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] += 0.2 * random.nextGaussian(); // biases away from 0
                }
                try (NDManager m = p.getManager().newSubManager()) {
                    p.set(new NDIndex("..."), m.create(v, p.getShape()));
                }
            });
            for (int items = 1; items <= LENGTH; items++) {
                int[] history = new int[LENGTH];
                int[] unpadded = new int[items];
                for (int k = 0; k < items; k++) {
                    unpadded[k] = 1 + random.nextInt(ROWS - 1);
                    history[LENGTH - items + k] = unpadded[k];
                }
                float[] ours = model.userVectors(new int[][] {history})[0];
                double[] fused = fusedGru(model, unpadded);
                for (int k = 0; k < DIM; k++) {
                    assertThat((double) ours[k]).as("%d items, coordinate %d", items, k).isCloseTo(fused[k], org.assertj.core.data.Offset.offset(1e-6));
                }
            }
            float[] empty = model.userVectors(new int[][] {new int[LENGTH]})[0];
            assertThat(empty).as("no items: the initial state").containsOnly(0f);
        }
    }

    /** DJL's fused GRU (PyTorch's kernel) over the items, from a zero state: the last output. */
    private static double[] fusedGru(Gru4RecModel model, int[] items) {
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            NDArray table = model.parameters().get(SequenceNetwork.ITEM_EMBEDDING);
            long[] rows = java.util.Arrays.stream(items).asLongStream().toArray();
            NDArray x = table.get(m.create(rows)).expandDims(0); // [1, T, D]
            NDList params = new NDList(
                    model.parameters().get("gru.input_weight").transpose(), // PyTorch: [3D, D]
                    model.parameters().get("gru.hidden_weight").transpose(),
                    model.parameters().get("gru.input_bias"),
                    model.parameters().get("gru.hidden_bias"));
            NDArray h0 = m.zeros(new Shape(1, 1, DIM), DataType.FLOAT64);
            NDList out = x.getNDArrayInternal().gru(x, h0, params, true, 1, 0, false, false, true);
            return out.get(0).get(new NDIndex("0, -1, :")).toDoubleArray();
        }
    }
}
