package dev.duet.trainer.rl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.duet.trainer.nextitem.CandidateSets;
import dev.duet.trainer.nextitem.EncodedCases;
import dev.duet.trainer.nextitem.SasRecInternals;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains an {@link RlNetwork} with Adam on shuffled mini-batches of transitions: before every step
 * the stop-gradient TD targets (and SA2C's weights) come from a no-grad pass, then one backward pass
 * through the combined loss. After every epoch the supervised head is validated (NDCG@10 over the
 * catalog) and the best epoch's encoder is kept; training stops after {@code patience} epochs
 * without improvement.
 */
public final class RlTrainer {

    /** One epoch's figures. */
    public record Epoch(int epoch, double trainLoss, double validNdcg10, double validHr1, double seconds, boolean best, int skippedSteps) {}

    /** Progress lines. */
    public interface Listener {
        void onEpoch(Epoch epoch);

        default void onProgress(int epoch, int done, int total, double meanLoss) {}
    }

    /** The network with the best epoch's encoder, the epochs and the seconds it took. */
    public record Trained(RlNetwork network, List<Epoch> epochs, int bestEpoch, double seconds) implements AutoCloseable {
        @Override
        public void close() {
            network.close();
        }
    }

    private RlTrainer() {}

    public static Trained train(RlConfig config, int rows, Transitions train, NegativeRewards negativeRewards,
            EncodedCases valid, List<CandidateSets> validSets, Listener listener) {
        long started = System.nanoTime();
        Engine.getInstance().setRandomSeed((int) config.encoder().seed());
        JniUtils.setNumThreads(config.encoder().threads());
        RlNetwork network = new RlNetwork(config, rows, train.envDim(), DataType.FLOAT32);
        Adam adam = new Adam(network.trainable(), config.encoder().learningRate());
        Random random = new Random(config.encoder().seed());
        int[] order = new int[train.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int batchSize = config.encoder().batchSize();
        List<Epoch> epochs = new ArrayList<>();
        Map<String, float[]> best = null;
        int bestEpoch = 0;
        double bestNdcg = -1;
        int steps = 0;
        for (int epoch = 1; epoch <= config.encoder().maxEpochs(); epoch++) {
            long t = System.nanoTime();
            shuffle(order, random);
            boolean actor = config.variant() == RlVariant.SA2C && epoch > config.sa2cWarmupEpochs();
            double lossSum = 0;
            int batches = 0;
            int skipped = 0;
            int total = (order.length + batchSize - 1) / batchSize;
            for (int from = 0; from < order.length; from += batchSize) {
                int to = Math.min(order.length, from + batchSize);
                Batch batch = batch(train, order, from, to, config, rows, negativeRewards, random);
                double loss = step(network, adam, batch, actor);
                if (Double.isFinite(loss)) {
                    lossSum += loss;
                    batches++;
                } else {
                    skipped++;
                }
                steps++;
                if (config.hasQHead() && steps % config.targetSync() == 0) {
                    network.syncTarget();
                }
                int done = batches + skipped;
                if (done % Math.max(1, total / 4) == 0 && done < total) {
                    listener.onProgress(epoch, done, total, lossSum / Math.max(1, batches));
                }
            }
            RlMetrics.Figures v = RlMetrics.evaluate(network.encoder(), valid, validSets);
            boolean improved = v.ndcg10() > bestNdcg;
            if (improved) {
                bestNdcg = v.ndcg10();
                bestEpoch = epoch;
                best = network.encoder().snapshot();
            }
            Epoch e = new Epoch(epoch, lossSum / Math.max(1, batches), v.ndcg10(), v.hr1Mean(), (System.nanoTime() - t) / 1e9, improved,
                    skipped);
            epochs.add(e);
            listener.onEpoch(e);
            if (epoch - bestEpoch >= config.encoder().patience()) {
                break;
            }
        }
        network.encoder().restore(best);
        return new Trained(network, epochs, bestEpoch, (System.nanoTime() - started) / 1e9);
    }

    /**
     * One step; a batch whose loss is not finite leaves the parameters as they are (its gradients
     * are cleared) and returns NaN, so one bad batch cannot turn every weight into NaN. Epoch lines
     * and the report count such steps.
     */
    private static double step(RlNetwork network, Adam adam, Batch batch, boolean actor) {
        Fixed fixed = network.config().hasQHead() ? network.fixed(batch, actor) : null;
        try (NDScope scope = new NDScope(); NDManager m = SasRecInternals.manager(network.encoder()).newSubManager()) {
            double loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray l = network.loss(m, batch, fixed, true);
                collector.backward(l);
                loss = l.getFloat();
            }
            if (!Double.isFinite(loss)) {
                adam.clearGradients();
                return Double.NaN;
            }
            adam.step();
            return loss;
        }
    }

    /** The transitions {@code order[from..to)} with {@code K} negatives each, drawn uniformly among rows other than the action. */
    static Batch batch(Transitions t, int[] order, int from, int to, RlConfig config, int rows,
            NegativeRewards negativeRewards, Random random) {
        int n = to - from;
        int k = config.negatives();
        int[] index = new int[n];
        int[][] h = new int[n][];
        int[][] y = new int[n][];
        int[] a = new int[n];
        float[] r = new float[n];
        int[][] next = new int[n][];
        int[][] negatives = new int[n][k];
        float[][] env = t.envStates() == null ? null : new float[n][];
        float[][] envNext = t.envStates() == null ? null : new float[n][];
        for (int i = 0; i < n; i++) {
            int c = order[from + i];
            index[i] = c;
            h[i] = t.histories()[c];
            y[i] = t.targets()[c];
            a[i] = t.actions()[c];
            r[i] = t.rewards()[c];
            next[i] = t.nextHistories()[c];
            if (env != null) {
                env[i] = t.envStates()[c];
                envNext[i] = t.envNextStates()[c];
            }
            if (config.hasQHead()) {
                for (int j = 0; j < k; j++) {
                    int row;
                    do {
                        row = 1 + random.nextInt(rows - 1);
                    } while (row == a[i]);
                    negatives[i][j] = row;
                }
            }
        }
        float[][] negativeR = config.hasQHead() ? negativeRewards.rewards(index, negatives) : new float[n][k];
        return new Batch(h, y, a, r, next, negatives, negativeR, env, envNext);
    }

    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
