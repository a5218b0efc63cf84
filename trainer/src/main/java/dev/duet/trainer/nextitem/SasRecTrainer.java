package dev.duet.trainer.nextitem;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains a {@link SequenceNetwork} (SASRec, GRU4Rec) with Adam on mini-batches of training cases, validates after every
 * epoch and keeps the epoch with the best validation HR@1 (mean over the candidate seeds; NDCG@10
 * breaks ties), stopping after {@code patience} epochs without improvement.
 */
public final class SasRecTrainer {

    /** One epoch's figures. */
    public record Epoch(int epoch, double trainLoss, double validHr1, double validNdcg10, double seconds, boolean best) {}

    /** Called after every epoch (progress lines). */
    public interface Listener {
        void onEpoch(Epoch epoch);

        /** Within an epoch: {@code done} of {@code total} batches, the mean loss so far. */
        default void onProgress(int epoch, int done, int total, double meanLoss) {}
    }

    /** A trained model (the best epoch's weights), its history and the time it took. */
    public record Trained<M extends SequenceNetwork>(M model, List<Epoch> epochs, int bestEpoch, double seconds) {}

    private static final float BETA1 = 0.9f;
    private static final float ADAM_EPSILON = 1e-9f;
    /** The fused update clips gradients at this value when it is not negative. */
    private static final float NO_CLIPPING = -1f;

    private SasRecTrainer() {}

    /**
     * Trains on {@code train}; {@code valid} with its candidate sets chooses the epoch.
     *
     * @param rows N + 1, the item table's rows
     */
    public static Trained<SasRecModel> train(SasRecConfig config, int rows, EncodedCases train, EncodedCases valid,
            List<CandidateSets> validCandidates, Listener listener) {
        Engine.getInstance().setRandomSeed((int) config.seed());
        useThreads(config.threads());
        return train(new SasRecModel(config, rows, DataType.FLOAT32), train, valid, validCandidates, listener);
    }

    /**
     * Trains a freshly initialised {@code model} (any {@link SequenceNetwork}: SASRec, GRU4Rec) with
     * its own settings; seeds PyTorch's generator from {@code model.config().seed()} first.
     */
    public static <M extends SequenceNetwork> Trained<M> train(M model, EncodedCases train, EncodedCases valid,
            List<CandidateSets> validCandidates, Listener listener) {
        long started = System.nanoTime();
        SasRecConfig config = model.config();
        Engine.getInstance().setRandomSeed((int) config.seed());
        useThreads(config.threads());
        int[][] targets = targets(train, config.maxHistory());
        Adam adam = new Adam(model, config);
        Random shuffle = new Random(config.seed());
        int[] order = new int[train.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        List<Epoch> epochs = new ArrayList<>();
        Map<String, float[]> best = null;
        int bestEpoch = 0;
        double bestHr = -1;
        double bestNdcg = -1;
        for (int epoch = 1; epoch <= config.maxEpochs(); epoch++) {
            long t = System.nanoTime();
            shuffle(order, shuffle);
            double lossSum = 0;
            int batches = 0;
            int total = (order.length + config.batchSize() - 1) / config.batchSize();
            for (int from = 0; from < order.length; from += config.batchSize()) {
                int to = Math.min(order.length, from + config.batchSize());
                int[][] h = new int[to - from][];
                int[][] y = new int[to - from][];
                for (int i = from; i < to; i++) {
                    h[i - from] = train.histories()[order[i]];
                    y[i - from] = targets[order[i]];
                }
                lossSum += adam.step(h, y);
                batches++;
                if (batches % Math.max(1, total / 4) == 0 && batches < total) {
                    listener.onProgress(epoch, batches, total, lossSum / batches);
                }
            }
            NextItemMetrics.Figures v = NextItemMetrics.evaluate(model, valid, validCandidates);
            boolean improved = v.hr1Mean() > bestHr || (v.hr1Mean() == bestHr && v.ndcg10() > bestNdcg);
            if (improved) {
                bestHr = v.hr1Mean();
                bestNdcg = v.ndcg10();
                bestEpoch = epoch;
                best = model.snapshot();
            }
            Epoch e = new Epoch(epoch, lossSum / batches, v.hr1Mean(), v.ndcg10(), (System.nanoTime() - t) / 1e9, improved);
            epochs.add(e);
            listener.onEpoch(e);
            if (epoch - bestEpoch >= config.patience()) {
                break;
            }
        }
        model.restore(best);
        return new Trained<>(model, epochs, bestEpoch, (System.nanoTime() - started) / 1e9);
    }

    /** Sets PyTorch's intra-op threads (loading the engine first: the call needs its library). */
    public static void useThreads(int threads) {
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
    }

    /**
     * The next item at every position of a training case's history: the history shifted by one with
     * the case's target last, right-aligned like the history (0 where there is nothing to predict).
     */
    static int[][] targets(EncodedCases cases, int length) {
        int[][] out = new int[cases.size()][length];
        for (int i = 0; i < cases.size(); i++) {
            int[] h = cases.histories()[i];
            for (int k = 0; k < length - 1; k++) {
                out[i][k] = h[k] == 0 ? 0 : h[k + 1];
            }
            out[i][length - 1] = cases.targets()[i];
        }
        return out;
    }

    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /**
     * Adam (with optional L2 added to the gradient) over all of a model's parameters: {@code g += l2
     * p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr sqrt(1 - b2^t) / (1 - b1^t) m /
     * (sqrt(v) + eps)}.
     */
    static final class Adam {
        private final SequenceNetwork model;
        private final SasRecConfig config;
        private final Map<String, NDArray> first = new LinkedHashMap<>();
        private final Map<String, NDArray> second = new LinkedHashMap<>();
        private int steps;

        Adam(SequenceNetwork model, SasRecConfig config) {
            this.model = model;
            this.config = config;
            model.parameters().forEach((name, p) -> {
                first.put(name, p.zerosLike());
                second.put(name, p.zerosLike());
            });
        }

        /** One step on a batch; returns its loss. */
        double step(int[][] histories, int[][] targets) {
            try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
                double loss;
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray l = model.loss(m, histories, targets, true);
                    collector.backward(l);
                    loss = l.getFloat();
                }
                steps++;
                float lr = config.learningRate();
                double correction1 = 1 - Math.pow(BETA1, steps);
                double correction2 = 1 - Math.pow(config.adamBeta2(), steps);
                float stepSize = (float) (lr * Math.sqrt(correction2) / correction1);
                // One native call per parameter (PyTorch engine's fused update: the same
                // arithmetic as written out, m and v in place, then the gradient zeroed): the 15
                // separate array operations per parameter it replaces cost more than the forward
                // and backward passes together (docs/training.md, "Speed").
                for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                    NDArray p = e.getValue();
                    p.getNDArrayInternal().adamUpdate(
                            new NDList(p, p.getGradient(), first.get(e.getKey()), second.get(e.getKey())), new NDList(p),
                            lr, stepSize, config.l2(), 1f, NO_CLIPPING, BETA1, config.adamBeta2(), ADAM_EPSILON, false, false);
                }
                return loss;
            }
        }
    }
}
