package dev.duet.trainer.nextitem;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** DJL's autograd on SASRec and GRU4Rec against central finite differences, in float64. */
class SasRecGradientCheckTest {

    private static final int ROWS = 13;
    private static final int LENGTH = 5;

    @Test
    void autogradMatchesFiniteDifferencesOnEveryParameterGroup() {
        SasRecTrainer.useThreads(1); // tiny tensors: threads only add overhead
        for (boolean allPositions : new boolean[] {true, false}) {
            SasRecConfig config = SasRecConfig.builder().dim(6).blocks(2).maxHistory(LENGTH).dropout(0f)
                    .allPositions(allPositions).seed(3).build();
            check(new SasRecModel(config, ROWS, DataType.FLOAT64), allPositions ? 3 : 4, 6, 1e-6, 1e-6);
        }
    }

    @Test
    void gru4recAutogradMatchesFiniteDifferencesOnEveryParameter() {
        SasRecTrainer.useThreads(1);
        for (boolean allPositions : new boolean[] {true, false}) {
            SasRecConfig config = SasRecConfig.builder().dim(6).maxHistory(LENGTH).dropout(0f)
                    .allPositions(allPositions).seed(5).build();
            // Five parameters: up to 60 coordinates each (the biases have 18). Some GRU gradient
            // coordinates are as small as 1e-6 (the state starts at 0), below what a finite
            // difference resolves: float64 rounding of a loss of 2.6 over steps of 1e-5 is about
            // 3e-11. So step 1e-5 and the relative error's denominator floored at 1e-4, i.e. an
            // absolute bound of 1e-10 for the tiniest coordinates, still 3 times the rounding.
            check(new Gru4RecModel(config, ROWS, DataType.FLOAT64), allPositions ? 6 : 7, 60, 1e-5, 1e-4);
        }
    }

    private static void check(SequenceNetwork network, long coordinateSeed, int perParameter, double step, double floor) {
        Random random = new Random(11);
        int[][] histories = {
            {0, 0, 0, 0, 0}, {0, 0, 0, 4, 7}, {1, 2, 3, 4, 5}, {0, 9, 12, 9, 2}, {0, 0, 6, 0, 11}
        };
        int[][] targets = new int[histories.length][LENGTH];
        for (int i = 0; i < histories.length; i++) {
            for (int k = 0; k < LENGTH; k++) {
                targets[i][k] = (k < LENGTH - 1 && histories[i][k] == 0) ? 0 : 1 + random.nextInt(ROWS - 1);
            }
        }
        try (SequenceNetwork model = network) {
            // Move LN and bias parameters off their initial 1 and 0 so that every term matters.
            perturbAll(model, random);
            Map<String, double[]> analytic = new LinkedHashMap<>();
            try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = model.loss(m, histories, targets, false);
                collector.backward(loss);
                model.parameters().forEach((name, p) -> analytic.put(name, p.getGradient().toDoubleArray()));
            }
            Random pick = new Random(coordinateSeed);
            int checked = 0;
            double worst = 0;
            List<String> names = new ArrayList<>(model.parameters().keySet());
            for (String name : names) {
                NDArray p = model.parameters().get(name);
                int size = (int) p.size();
                int coordinates = Math.min(size, perParameter);
                for (int c = 0; c < coordinates; c++) {
                    int index = pick.nextInt(size);
                    double numeric = finiteDifference(model, p, index, histories, targets, step);
                    double exact = analytic.get(name)[index];
                    double error = Math.abs(numeric - exact) / Math.max(floor, Math.abs(numeric) + Math.abs(exact));
                    worst = Math.max(worst, error);
                    assertThat(error).as("%s[%d]: autograd %s, finite difference %s", name, index, exact, numeric)
                            .isLessThan(1e-6);
                    checked++;
                }
            }
            assertThat(checked).as("coordinates checked").isGreaterThanOrEqualTo(200);
            // At least the shared item table must get a gradient from both its uses.
            assertThat(java.util.Arrays.stream(analytic.get("item_embedding")).map(Math::abs).max().orElse(0)).isGreaterThan(1e-4);
        }
    }

    private static double finiteDifference(SequenceNetwork model, NDArray p, int index, int[][] h, int[][] y, double h0) {
        double[] values = p.toDoubleArray();
        double original = values[index];
        values[index] = original + h0;
        double plus = lossAt(model, p, values, h, y);
        values[index] = original - h0;
        double minus = lossAt(model, p, values, h, y);
        values[index] = original;
        set(p, values);
        return (plus - minus) / (2 * h0);
    }

    private static double lossAt(SequenceNetwork model, NDArray p, double[] values, int[][] h, int[][] y) {
        set(p, values);
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            return model.loss(m, h, y, false).getDouble();
        }
    }

    private static void set(NDArray p, double[] values) {
        try (NDManager m = p.getManager().newSubManager()) {
            p.set(new NDIndex("..."), m.create(values, p.getShape()));
        }
    }

    private static void perturbAll(SequenceNetwork model, Random random) {
        model.parameters().forEach((name, p) -> {
            double[] v = p.toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += 0.1 * random.nextGaussian();
            }
            set(p, v);
        });
    }
}
