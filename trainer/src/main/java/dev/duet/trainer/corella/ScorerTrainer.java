package dev.duet.trainer.corella;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.duet.core.scorer.ScorerBatch;
import dev.duet.core.scorer.ScorerSettings;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * Trains the scorer the CoReLLa way on DJL's PyTorch engine: hardness-weighted cross-entropy (the
 * CRM's prediction entropy, so the samples the CRM finds hard count more) plus the alignment loss,
 * Adam with decoupled weight decay, shuffled mini-batches, a validation score after every epoch and
 * the best epoch kept (early stopping with patience). The blend is left at identity; the caller
 * fits it on validation.
 */
public final class ScorerTrainer {

    /** One epoch's figures. */
    public record Epoch(int epoch, double trainLoss, double validScore, double seconds, boolean best) {}

    /** The outcome: the best epoch's scorer and every epoch's figures. */
    public record Result(TrainedScorer scorer, List<Epoch> epochs, int bestEpoch, double bestValidScore,
            double seconds) {}

    static {
        // The machine has two cores shared with the encoder and other work: one PyTorch thread
        // (more only oversubscribes them; read when the engine starts; a system property overrides).
        System.setProperty("ai.djl.pytorch.num_interop_threads", System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
        System.setProperty("ai.djl.pytorch.num_threads", System.getProperty("ai.djl.pytorch.num_threads", "1"));
    }

    private final ScorerSettings settings;
    private final ScorerConfig config;
    private final PrintStream out;
    private final String label;

    public ScorerTrainer(ScorerSettings settings, ScorerConfig config, PrintStream out, String label) {
        this.settings = settings;
        this.config = config;
        this.out = out;
        this.label = label;
    }

    /**
     * Sample weights {@code H(p)^power} (H the CRM's entropy in nats, from the logit each row
     * carries), normalised to mean 1.
     */
    public static float[] hardnessWeights(ScorerBatch batch, double power) {
        int n = batch.size();
        float[] w = new float[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double p = 1 / (1 + Math.exp(-batch.crmLogit(i)));
            double h = -(p * Math.log(p) + (1 - p) * Math.log(1 - p)) / Math.log(2);
            w[i] = (float) (power == 0 ? 1 : Math.pow(Math.max(h, 1e-6), power));
            sum += w[i];
        }
        for (int i = 0; i < n; i++) {
            w[i] = (float) (w[i] * n / sum);
        }
        return w;
    }

    /**
     * Trains.
     *
     * @param train training rows; {@code labels} aligned
     * @param validScore scores the raw logits of the validation rows (higher is better); picks the epoch
     */
    public Result train(ScorerBatch train, float[] labels, ScorerBatch valid, ToDoubleFunction<float[]> validScore) {
        long started = System.nanoTime();
        Engine.getInstance().setRandomSeed((int) config.seed());
        ScorerParameters params = ScorerParameters.init(settings, config);
        ScorerNetwork network = new ScorerNetwork(settings, config);
        float[] weights = hardnessWeights(train, config.hardnessPower());
        Adam adam = new Adam(params, config);
        Random random = new Random(config.seed());
        int n = train.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        List<Epoch> epochs = new ArrayList<>();
        ScorerParameters best = params.copy();
        double bestScore = Double.NEGATIVE_INFINITY;
        int bestEpoch = 0;
        int sinceBest = 0;
        for (int epoch = 1; epoch <= config.maxEpochs(); epoch++) {
            long t = System.nanoTime();
            shuffle(order, random);
            double lossSum = 0;
            int steps = 0;
            try (NDManager manager = NDManager.newBaseManager()) {
                Map<String, NDArray> w = ScorerNetwork.arrays(manager, params, DataType.FLOAT32, true);
                NDArray table = network.table(manager, train, DataType.FLOAT32);
                for (int from = 0; from + 1 < n; from += config.batchSize()) {
                    int to = Math.min(n, from + config.batchSize());
                    int[] rows = java.util.Arrays.copyOfRange(order, from, to);
                    try (NDManager step = manager.newSubManager()) {
                        NDList in = network.indexedInputs(step, train.indexed(rows), DataType.FLOAT32);
                        float[] y = new float[rows.length];
                        float[] sw = new float[rows.length];
                        for (int i = 0; i < rows.length; i++) {
                            y[i] = labels[rows[i]];
                            sw[i] = weights[rows[i]];
                        }
                        NDArray yArray = step.create(y, new Shape(rows.length));
                        NDArray wArray = step.create(sw, new Shape(rows.length));
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray loss = network.lossIndexed(w, table, in, yArray, wArray);
                            gc.backward(loss);
                            lossSum += loss.getFloat();
                        }
                        adam.step(w);
                        steps++;
                    }
                }
            }
            float[] validLogits = new TrainedScorer(settings, config, params, 1, 0, 0).rawLogits(valid);
            double score = validScore.applyAsDouble(validLogits);
            boolean improved = score > bestScore;
            if (improved) {
                bestScore = score;
                best = params.copy();
                bestEpoch = epoch;
                sinceBest = 0;
            } else {
                sinceBest++;
            }
            Epoch e = new Epoch(epoch, lossSum / Math.max(1, steps), score, (System.nanoTime() - t) / 1e9, improved);
            epochs.add(e);
            out.printf("  %s epoch %d: train loss %.4f, valid score %.4f, %.1f s%s%n", label, epoch, e.trainLoss(),
                    score, e.seconds(), improved ? "  (best so far)" : "");
            if (sinceBest >= config.patience()) {
                break;
            }
        }
        return new Result(new TrainedScorer(settings, config, best, 1, 0, 0), epochs, bestEpoch, bestScore,
                (System.nanoTime() - started) / 1e9);
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Adam with decoupled weight decay on the matrices, updated on the Java side. */
    static final class Adam {
        private static final double BETA1 = 0.9;
        private static final double BETA2 = 0.999;
        private static final double EPS = 1e-8;
        private final ScorerParameters params;
        private final ScorerConfig config;
        private final Map<String, float[]> m = new java.util.HashMap<>();
        private final Map<String, float[]> v = new java.util.HashMap<>();
        private int t;

        Adam(ScorerParameters params, ScorerConfig config) {
            this.params = params;
            this.config = config;
            for (String name : ScorerParameters.NAMES) {
                m.put(name, new float[params.get(name).length]);
                v.put(name, new float[params.get(name).length]);
            }
        }

        void step(Map<String, NDArray> arrays) {
            t++;
            double lr = config.learningRate();
            double c1 = 1 - Math.pow(BETA1, t);
            double c2 = 1 - Math.pow(BETA2, t);
            for (String name : ScorerParameters.NAMES) {
                if (params.isFrozen(name)) {
                    continue;
                }
                NDArray a = arrays.get(name);
                float[] g;
                try (NDArray grad = a.getGradient()) {
                    g = grad.toFloatArray();
                    grad.subi(grad);
                }
                float[] p = params.get(name);
                float[] mm = m.get(name);
                float[] vv = v.get(name);
                boolean decay = params.shape(name).length == 2;
                for (int i = 0; i < p.length; i++) {
                    mm[i] = (float) (BETA1 * mm[i] + (1 - BETA1) * g[i]);
                    vv[i] = (float) (BETA2 * vv[i] + (1 - BETA2) * g[i] * g[i]);
                    double update = (mm[i] / c1) / (Math.sqrt(vv[i] / c2) + EPS);
                    if (decay) {
                        update += config.weightDecay() * p[i];
                    }
                    p[i] -= (float) (lr * update);
                }
                a.set(p);
            }
        }
    }
}
