package dev.duet.trainer.rl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.duet.trainer.nextitem.SasRecConfig;
import dev.duet.trainer.nextitem.SasRecInternals;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * DJL's autograd on the combined RL loss (supervised cross-entropy + Q head TD loss with negatives
 * + SA2C's weighted actor term + behaviour head) and on the environment's two losses, against
 * central finite differences in float64.
 */
class RlGradientCheckTest {

    private static final int ROWS = 11;
    private static final int LENGTH = 4;

    @Test
    void combinedRlLossMatchesFiniteDifferencesForSnqnAndSa2cWithAndWithoutEnvironment() {
        Engine.getInstance(); // loads the native library before the thread setting
        ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
        int checked = 0;
        checked += checkNetwork(RlVariant.SNQN, 0, 5);
        checked += checkNetwork(RlVariant.SA2C, 3, 6);
        assertThat(checked).isGreaterThanOrEqualTo(300);
    }

    private static int checkNetwork(RlVariant variant, int envDim, long seed) {
        SasRecConfig encoder = SasRecConfig.builder().dim(5).blocks(1).maxHistory(LENGTH).dropout(0f).seed(seed)
                .allPositions(variant == RlVariant.SNQN).build();
        RlConfig config = RlConfig.of(encoder, variant, 0.7f);
        Random random = new Random(seed);
        int[][] histories = {{0, 0, 3, 4}, {1, 2, 3, 4}, {0, 9, 10, 2}, {0, 0, 0, 7}};
        int[] actions = {5, 6, 1, 8};
        Transitions t = Transitions.logged(histories, actions, new float[] {1f, 0.2f, 1f, 0.2f});
        int[][] negatives = new int[4][3];
        float[][] negativeRewards = new float[4][3];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                negatives[i][j] = 1 + random.nextInt(ROWS - 1);
                negativeRewards[i][j] = envDim > 0 ? random.nextFloat() : 0f;
            }
        }
        float[][] env = envDim == 0 ? null : randomMatrix(random, 4, envDim);
        float[][] envNext = envDim == 0 ? null : randomMatrix(random, 4, envDim);
        Batch batch = new Batch(t.histories(), t.targets(), actions, t.rewards(), t.nextHistories(), negatives, negativeRewards, env, envNext);
        try (RlNetwork network = new RlNetwork(config, ROWS, envDim, DataType.FLOAT64)) {
            network.trainable().forEach((name, p) -> perturb(p, random));
            network.syncTarget();
            network.trainable().forEach((name, p) -> perturb(p, random)); // online and target differ
            Fixed fixed = network.fixed(batch, true);
            if (variant == RlVariant.SA2C) {
                float[] w = fixed.actorWeight();
                assertThat(java.util.stream.IntStream.range(0, w.length).anyMatch(i -> w[i] != 0f)).as("SA2C's actor weights are not all zero").isTrue();
            }
            NDManager manager = SasRecInternals.manager(network.encoder());
            Supplier<Double> loss = () -> {
                try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
                    return network.loss(m, batch, fixed, false).getDouble();
                }
            };
            Map<String, double[]> analytic = new LinkedHashMap<>();
            try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray l = network.loss(m, batch, fixed, false);
                collector.backward(l);
                network.trainable().forEach((name, p) -> analytic.put(name, p.getGradient().toDoubleArray()));
            }
            assertThat(java.util.Arrays.stream(analytic.get("q.item")).anyMatch(g -> Math.abs(g) > 1e-6)).as("the Q head gets a gradient").isTrue();
            if (variant == RlVariant.SA2C) {
                assertThat(java.util.Arrays.stream(analytic.get("behaviour.item")).anyMatch(g -> Math.abs(g) > 1e-6)).as("the behaviour head gets a gradient").isTrue();
            }
            return compare(network.trainable(), analytic, loss, new Random(seed + 100), 10);
        }
    }

    @Test
    void environmentLossesMatchFiniteDifferences() {
        Engine.getInstance(); // loads the native library before the thread setting
        ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
        Random random = new Random(9);
        int textDim = 6;
        float[][] text = randomMatrix(random, ROWS, textDim);
        text[0] = new float[textDim];
        int[][] windows = {{0, 0, 3, 4}, {1, 2, 3, 4}, {0, 9, 10, 2}};
        int[] next = {5, 6, 1};
        try (EnvironmentModels models = new EnvironmentModels(textDim, 7, 4, 3, DataType.FLOAT64)) {
            NDManager manager = models.manager();
            Supplier<Double> stateLoss = () -> {
                try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
                    return models.stateLoss(m, features(m, windows, text), table(m, text), next).getDouble();
                }
            };
            float[][] z = randomMatrix(random, 3, 4);
            float[][] pos = randomMatrix(random, 3, 4);
            float[][] neg = randomMatrix(random, 3, 4);
            Supplier<Double> rewardLoss = () -> {
                try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
                    return models.rewardLoss(mat(m, z), mat(m, pos), mat(m, neg)).getDouble();
                }
            };
            models.stateParameters().forEach((name, p) -> perturb(p, random));
            models.rewardParameters().forEach((name, p) -> perturb(p, random));
            Map<String, double[]> analytic = new LinkedHashMap<>();
            try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(models.stateLoss(m, features(m, windows, text), table(m, text), next));
                models.stateParameters().forEach((name, p) -> analytic.put(name, p.getGradient().toDoubleArray()));
            }
            int checked = compare(models.stateParameters(), analytic, stateLoss, new Random(1), 40);
            analytic.clear();
            try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(models.rewardLoss(mat(m, z), mat(m, pos), mat(m, neg)));
                models.rewardParameters().forEach((name, p) -> analytic.put(name, p.getGradient().toDoubleArray()));
            }
            checked += compare(models.rewardParameters(), analytic, rewardLoss, new Random(2), 40);
            assertThat(checked).isGreaterThanOrEqualTo(150);
        }
    }

    private static NDArray features(NDManager m, int[][] windows, float[][] text) {
        return m.create(EnvironmentModels.features(windows, text, text[0].length), new ai.djl.ndarray.types.Shape(windows.length, 2L * text[0].length))
                .toType(DataType.FLOAT64, false);
    }

    private static NDArray table(NDManager m, float[][] text) {
        return mat(m, text);
    }

    private static NDArray mat(NDManager m, float[][] v) {
        return m.create(TextEnvironment.flatten(v), new ai.djl.ndarray.types.Shape(v.length, v[0].length)).toType(DataType.FLOAT64, false);
    }

    /** Compares up to {@code perParameter} random coordinates of every parameter; returns how many. */
    private static int compare(Map<String, NDArray> parameters, Map<String, double[]> analytic, Supplier<Double> loss, Random pick,
            int perParameter) {
        int checked = 0;
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray p = e.getValue();
            int size = (int) p.size();
            for (int c = 0; c < Math.min(size, perParameter); c++) {
                int index = pick.nextInt(size);
                double[] values = p.toDoubleArray();
                double original = values[index];
                double h = 1e-6;
                values[index] = original + h;
                set(p, values);
                double plus = loss.get();
                values[index] = original - h;
                set(p, values);
                double minus = loss.get();
                values[index] = original;
                set(p, values);
                double numeric = (plus - minus) / (2 * h);
                double exact = analytic.get(e.getKey())[index];
                double error = Math.abs(numeric - exact) / Math.max(1e-6, Math.abs(numeric) + Math.abs(exact));
                // A gradient that is exactly 0 (e.g. a key bias, which softmax cancels) leaves only rounding noise.
                error = Math.abs(numeric - exact) < 1e-8 ? 0 : error;
                assertThat(error).as("%s[%d]: autograd %s, finite difference %s", e.getKey(), index, exact, numeric).isLessThan(1e-5);
                checked++;
            }
        }
        return checked;
    }

    private static void set(NDArray p, double[] values) {
        try (NDManager m = p.getManager().newSubManager()) {
            p.set(new NDIndex("..."), m.create(values, p.getShape()));
        }
    }

    private static void perturb(NDArray p, Random random) {
        double[] v = p.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] += 0.1 * random.nextGaussian();
        }
        set(p, v);
    }

    private static float[][] randomMatrix(Random random, int n, int w) {
        float[][] out = new float[n][w];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < w; j++) {
                out[i][j] = (float) random.nextGaussian();
            }
        }
        return out;
    }
}
