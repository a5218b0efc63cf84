package dev.duet.trainer.corella;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.duet.core.scorer.ScorerBatch;
import dev.duet.core.scorer.ScorerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * DJL's autograd gradients of the whole training loss (hardness-weighted cross-entropy plus both
 * alignment losses) against central finite differences, in float64, on 300 random coordinates
 * spread over every trained weight.
 */
class ScorerGradientCheckTest {

    @Test
    void autogradMatchesFiniteDifferences() {
        ScorerSettings s = ScorerFixtures.settings(12, 5, 4);
        ScorerConfig c = ScorerConfig.builder().dim(6).hidden(7).alignWeight(0.3).temperature(0.5).seed(3).build();
        ScorerBatch batch = ScorerFixtures.batch(s, 9, 15, 11);
        float[] labels = ScorerFixtures.labels(9, 5);
        float[] weights = ScorerTrainer.hardnessWeights(batch, 1.0);
        ScorerParameters p = ScorerParameters.init(s, c);
        ScorerNetwork network = new ScorerNetwork(s, c);

        Map<String, double[]> analytic = new java.util.HashMap<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> w = ScorerNetwork.arrays(manager, p, DataType.FLOAT64, true);
            NDArray y = manager.create(toDouble(labels), new Shape(labels.length));
            NDArray sw = manager.create(toDouble(weights), new Shape(weights.length));
            // The trainer's path: texts as indices into the table.
            NDArray table = network.table(manager, batch, DataType.FLOAT64);
            NDList indexed = network.indexedInputs(manager, batch.indexed(allRows(batch.size())), DataType.FLOAT64);
            double lossIndexed;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = network.lossIndexed(w, table, indexed, y, sw);
                lossIndexed = loss.getDouble();
                gc.backward(loss);
            }
            for (String name : ScorerParameters.NAMES) {
                analytic.put(name, w.get(name).getGradient().toDoubleArray());
            }
            // The exported graph's path (dense embeddings) gives the same loss and gradients, up to the
            // cosines, which the indexed path takes precomputed in float32 (as serving computes them).
            Map<String, NDArray> w2 = ScorerNetwork.arrays(manager, p, DataType.FLOAT64, true);
            NDList dense = network.inputs(manager, batch.tensors(0, batch.size()), DataType.FLOAT64);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = network.loss(w2, dense, y, sw);
                assertThat(loss.getDouble()).isCloseTo(lossIndexed, org.assertj.core.data.Offset.offset(1e-6));
                gc.backward(loss);
            }
            for (String name : ScorerParameters.NAMES) {
                double[] g = w2.get(name).getGradient().toDoubleArray();
                for (int i = 0; i < g.length; i++) {
                    assertThat(g[i]).as(name + "[" + i + "]").isCloseTo(analytic.get(name)[i],
                            org.assertj.core.data.Offset.offset(1e-6));
                }
            }
        }

        Random random = new Random(42);
        List<String> names = new ArrayList<>(ScorerParameters.NAMES);
        double eps = 1e-6;
        double worst = 0;
        int checked = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> w = ScorerNetwork.arrays(manager, p, DataType.FLOAT64, false);
            NDArray table = network.table(manager, batch, DataType.FLOAT64);
            NDList in = network.indexedInputs(manager, batch.indexed(allRows(batch.size())), DataType.FLOAT64);
            NDArray y = manager.create(toDouble(labels), new Shape(labels.length));
            NDArray sw = manager.create(toDouble(weights), new Shape(weights.length));
            for (int trial = 0; trial < 300; trial++) {
                String name = names.get(trial % names.size());
                double[] base = toDouble(p.get(name));
                int i = random.nextInt(base.length);
                double numeric = (loss(network, manager, w, table, name, p, base, i, eps, in, y, sw)
                        - loss(network, manager, w, table, name, p, base, i, -eps, in, y, sw)) / (2 * eps);
                double auto = analytic.get(name)[i];
                double error = Math.abs(numeric - auto) / Math.max(1e-7, Math.abs(numeric) + Math.abs(auto));
                worst = Math.max(worst, error);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(300);
        assertThat(worst).as("largest relative error over 300 coordinates").isLessThan(1e-5);
        // The check must not pass vacuously: the gradient reaches every trained weight.
        for (String name : ScorerParameters.NAMES) {
            assertThat(java.util.Arrays.stream(analytic.get(name)).map(Math::abs).max().orElse(0))
                    .as("gradient of " + name).isGreaterThan(0);
        }
    }

    private static double loss(ScorerNetwork network, NDManager manager, Map<String, NDArray> weights, NDArray table,
            String name,
            ScorerParameters p, double[] base, int index, double delta, NDList in, NDArray y, NDArray sw) {
        try (NDManager step = manager.newSubManager()) {
            Map<String, NDArray> w = new java.util.HashMap<>(weights);
            double[] moved = base.clone();
            moved[index] += delta;
            w.put(name, step.create(moved, new Shape(ScorerNetwork.toLong(p.shape(name)))));
            // The batch's first array decides where results live: keep them in the step manager.
            NDList local = new NDList();
            for (NDArray a : in) {
                local.add(a.duplicate());
            }
            local.forEach(a -> a.attach(step));
            return network.lossIndexed(w, table, local, y, sw).getDouble();
        }
    }

    static int[] allRows(int n) {
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        return rows;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
