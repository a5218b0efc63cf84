package dev.duet.trainer.rl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.duet.core.data.Dataset;
import dev.duet.trainer.nextitem.EncodedCases;
import dev.duet.trainer.nextitem.ItemVocabulary;
import dev.duet.trainer.nextitem.NextItemCase;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The RL recommender's environment from the language-model side, as it runs here: the pretrained
 * sentence encoder all-MiniLM-L6-v2 embeds every item's text (title, genres), and two adapters
 * trained in Java on those frozen vectors ({@link EnvironmentModels}) give the state of a history
 * and the reward of an action. It stands where the paper's fine-tuned LLM stands; it is a text
 * encoder with trained adapters, not an LLM.
 *
 * <p>The state model trains on a subset of users (half, drawn with the seed; data without users:
 * half of the training cases), its epochs chosen on validation NDCG@10 of its own next-item ranking;
 * the reward model trains on every training case against one sampled item the user never interacted
 * with per case and epoch, its epochs chosen on validation pairwise accuracy.
 */
public final class TextEnvironment implements AutoCloseable {

    static final int HIDDEN = 128;
    static final int STATE_DIM = 64;
    static final double STATE_SUBSET = 0.5;
    static final int LEA_SHORTLIST = 20;
    private static final int BATCH = 256;
    private static final float LEARNING_RATE = 1e-3f;
    // Caps chosen for a 2-core machine shared by several jobs; the epoch within the cap is chosen on validation.
    private static final int STATE_EPOCHS = 5;
    private static final int REWARD_EPOCHS = 4;
    private static final int PATIENCE = 1;
    private static final int CHUNK = 2048;

    private final EnvironmentModels models;
    private final float[][] text;
    private final int textDim;
    private final float[][] actionVectors;
    private final Map<String, Object> report;

    private TextEnvironment(EnvironmentModels models, float[][] text, Map<String, Object> report) {
        this.models = models;
        this.text = text;
        this.textDim = text[1].length;
        this.report = report;
        this.actionVectors = computeActions();
    }

    /** Embeds the items' texts and trains the state and reward models. */
    public static TextEnvironment train(Dataset dataset, ItemVocabulary vocabulary, List<NextItemCase> trainCases, EncodedCases train,
            EncodedCases valid, long seed, int threads, PrintStream out) {
        long t = System.nanoTime();
        List<String> texts = new ArrayList<>();
        for (String id : vocabulary.ids()) {
            texts.add(dataset.item(id).describe());
        }
        float[][] embedded = ItemTextEncoder.embed(texts, threads);
        float[][] text = new float[vocabulary.rows()][];
        text[0] = new float[embedded[0].length];
        System.arraycopy(embedded, 0, text, 1, embedded.length);
        double embedSeconds = (System.nanoTime() - t) / 1e9;
        out.printf(Locale.ROOT, "Environment: %s embedded %,d item texts (e.g. \"%s\") in %.1f s%n", ItemTextEncoder.NAME, texts.size(),
                texts.get(0), embedSeconds);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("what", "a pretrained sentence encoder (" + ItemTextEncoder.NAME
                + ", frozen) with adapters trained here: a state model (state-action similarity loss) and a reward model"
                + " (pairwise preference loss); not an LLM");
        report.put("item_text", "title and genres where the data has them (LastFM: the artist name)");
        report.put("embed_seconds", embedSeconds);
        Engine.getInstance().setRandomSeed((int) seed);
        JniUtils.setNumThreads(threads);
        EnvironmentModels models = new EnvironmentModels(text[1].length, HIDDEN, STATE_DIM, seed, DataType.FLOAT32);
        TextEnvironment env = null;
        try {
            int[] subset = stateSubset(trainCases, seed);
            report.put("state_model", trainStateModel(models, text, train, subset, valid, seed, out));
            report.put("reward_model", trainRewardModel(models, text, train, valid, seed, out));
            env = new TextEnvironment(models, text, report);
            return env;
        } finally {
            if (env == null) {
                models.close();
            }
        }
    }

    /** The training cases of half of the users (or half of the cases when the data names no users). */
    static int[] stateSubset(List<NextItemCase> cases, long seed) {
        List<Integer> chosen = new ArrayList<>();
        Random random = new Random(seed * 131 + 1);
        for (int i = 0; i < cases.size(); i++) {
            String user = cases.get(i).user();
            boolean in = user == null ? random.nextDouble() < STATE_SUBSET
                    // SplittableRandom mixes its seed: java.util.Random's first double barely moves
                    // between neighbouring seeds, so users with similar hash codes were all in or out
                    // (19,613 of 79,246 MovieLens-100K cases instead of about half).
                    : new SplittableRandom(seed * 1_000_003L + user.hashCode()).nextDouble() < STATE_SUBSET;
            if (in) {
                chosen.add(i);
            }
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Map<String, Object> trainStateModel(EnvironmentModels models, float[][] text, EncodedCases train, int[] subset,
            EncodedCases valid, long seed, PrintStream out) {
        long t = System.nanoTime();
        int textDim = text[1].length;
        Adam adam = new Adam(models.stateParameters(), LEARNING_RATE);
        Random random = new Random(seed + 17);
        Map<String, float[]> best = null;
        double bestNdcg = -1;
        int bestEpoch = 0;
        List<Double> curve = new ArrayList<>();
        try (NDManager tableManager = models.manager().newSubManager()) {
            NDArray table = tableManager.create(flatten(text), new Shape(text.length, textDim));
            for (int epoch = 1; epoch <= STATE_EPOCHS; epoch++) {
                int[] order = subset.clone();
                shuffle(order, random);
                double lossSum = 0;
                int batches = 0;
                for (int from = 0; from < order.length; from += BATCH) {
                    int to = Math.min(order.length, from + BATCH);
                    int[][] windows = new int[to - from][];
                    int[] next = new int[to - from];
                    for (int i = from; i < to; i++) {
                        windows[i - from] = train.histories()[order[i]];
                        next[i - from] = train.targets()[order[i]];
                    }
                    try (NDScope scope = new NDScope(); NDManager m = models.manager().newSubManager()) {
                        NDArray x = m.create(EnvironmentModels.features(windows, text, textDim), new Shape(windows.length, 2L * textDim));
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            NDArray loss = models.stateLoss(m, x, table, next);
                            collector.backward(loss);
                            lossSum += loss.getFloat();
                        }
                        adam.step();
                    }
                    batches++;
                }
                double ndcg = stateNdcg(models, text, valid);
                curve.add(ndcg);
                boolean improved = ndcg > bestNdcg;
                if (improved) {
                    bestNdcg = ndcg;
                    bestEpoch = epoch;
                    best = snapshot(models.stateParameters());
                }
                out.printf(Locale.ROOT, "  state model epoch %2d: loss %.4f, valid NDCG@10 %.4f%s%n", epoch, lossSum / batches, ndcg,
                        improved ? "  (best so far)" : "");
                if (epoch - bestEpoch >= PATIENCE) {
                    break;
                }
            }
        }
        restore(models.stateParameters(), best);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("training_cases", subset.length);
        r.put("subset", "half of the users (data without users: half of the cases), seed-drawn");
        r.put("best_epoch", bestEpoch);
        r.put("valid_ndcg@10", bestNdcg);
        r.put("valid_ndcg@10_by_epoch", curve);
        r.put("seconds", (System.nanoTime() - t) / 1e9);
        return r;
    }

    private static double stateNdcg(EnvironmentModels models, float[][] text, EncodedCases valid) {
        float[][] z = states(models, text, valid.histories());
        float[][] g = actions(models, text);
        dev.duet.trainer.nextitem.NextItemScorer scorer = new dev.duet.trainer.nextitem.NextItemScorer() {
            private int offset;

            @Override
            public String name() {
                return "state_model";
            }

            @Override
            public float[][] catalogScores(int[][] histories) {
                float[][] out = new float[histories.length][];
                for (int i = 0; i < histories.length; i++) {
                    out[i] = dots(z[offset + i], g);
                }
                offset += histories.length;
                return out;
            }
        };
        return RlMetrics.evaluate(scorer, valid, List.of()).ndcg10();
    }

    private static Map<String, Object> trainRewardModel(EnvironmentModels models, float[][] text, EncodedCases train, EncodedCases valid,
            long seed, PrintStream out) {
        long t = System.nanoTime();
        float[][] z = states(models, text, train.histories());
        float[][] g = actions(models, text);
        float[][] zValid = states(models, text, valid.histories());
        int[] validOther = sampleOthers(valid, g.length, new Random(seed + 29));
        Adam adam = new Adam(models.rewardParameters(), LEARNING_RATE);
        Random random = new Random(seed + 23);
        int[] order = new int[train.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Map<String, float[]> best = null;
        double bestAccuracy = -1;
        int bestEpoch = 0;
        List<Double> curve = new ArrayList<>();
        for (int epoch = 1; epoch <= REWARD_EPOCHS; epoch++) {
            shuffle(order, random);
            int[] others = sampleOthers(train, g.length, random);
            double lossSum = 0;
            int batches = 0;
            for (int from = 0; from < order.length; from += BATCH) {
                int to = Math.min(order.length, from + BATCH);
                int n = to - from;
                float[][] zs = new float[n][];
                float[][] pos = new float[n][];
                float[][] neg = new float[n][];
                for (int i = 0; i < n; i++) {
                    int c = order[from + i];
                    zs[i] = z[c];
                    pos[i] = g[train.targets()[c]];
                    neg[i] = g[others[c]];
                }
                try (NDScope scope = new NDScope(); NDManager m = models.manager().newSubManager()) {
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = models.rewardLoss(matrix(m, zs), matrix(m, pos), matrix(m, neg));
                        collector.backward(loss);
                        lossSum += loss.getFloat();
                    }
                    adam.step();
                }
                batches++;
            }
            double accuracy = pairwiseAccuracy(models, zValid, g, valid.targets(), validOther);
            curve.add(accuracy);
            boolean improved = accuracy > bestAccuracy;
            if (improved) {
                bestAccuracy = accuracy;
                bestEpoch = epoch;
                best = snapshot(models.rewardParameters());
            }
            out.printf(Locale.ROOT, "  reward model epoch %2d: loss %.4f, valid pairwise accuracy %.4f%s%n", epoch, lossSum / batches,
                    accuracy, improved ? "  (best so far)" : "");
            if (epoch - bestEpoch >= PATIENCE) {
                break;
            }
        }
        restore(models.rewardParameters(), best);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("training_cases", train.size());
        r.put("pairs", "the next item against one item the user never interacted with, drawn per case and epoch");
        r.put("best_epoch", bestEpoch);
        r.put("valid_pairwise_accuracy", bestAccuracy);
        r.put("valid_pairwise_accuracy_by_epoch", curve);
        r.put("seconds", (System.nanoTime() - t) / 1e9);
        return r;
    }

    private static double pairwiseAccuracy(EnvironmentModels models, float[][] z, float[][] g, int[] targets, int[] others) {
        int n = z.length;
        double correct = 0;
        int counted = 0;
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            float[][] zs = Arrays.copyOfRange(z, from, to);
            float[][] pos = new float[to - from][];
            float[][] neg = new float[to - from][];
            for (int i = from; i < to; i++) {
                pos[i - from] = g[targets[i]];
                neg[i - from] = g[others[i]];
            }
            float[] sp = scores(models, zs, pos);
            float[] sn = scores(models, zs, neg);
            for (int i = 0; i < sp.length; i++) {
                if (targets[from + i] == 0) {
                    continue;
                }
                counted++;
                correct += sp[i] > sn[i] ? 1 : sp[i] == sn[i] ? 0.5 : 0;
            }
        }
        return correct / Math.max(1, counted);
    }

    /** One item per case that the case's user never interacted with (and not its target). */
    static int[] sampleOthers(EncodedCases cases, int rows, Random random) {
        int[] out = new int[cases.size()];
        for (int i = 0; i < out.length; i++) {
            int[] excluded = cases.excluded(i);
            int row;
            int tries = 0;
            do {
                row = 1 + random.nextInt(rows - 1);
                tries++;
            } while ((row == cases.targets()[i] || Arrays.binarySearch(excluded, row) >= 0) && tries < 1000);
            out[i] = row;
        }
        return out;
    }

    // ---- applying the environment to transitions ----

    /** The transitions with the state model's states and the reward model's rewards of their actions. */
    public Transitions apply(Transitions t) {
        float[][] z = states(models, text, t.histories());
        float[][] zNext = states(models, text, t.nextHistories());
        return t.withEnvStates(z, zNext).withRewards(rewards(z, t.actions()));
    }

    /** Rewards of sampled negatives: the reward model's, on the transitions' environment states. */
    public NegativeRewards negativeRewards(Transitions t) {
        float[][] z = t.envStates();
        return (cases, negatives) -> {
            int n = cases.length;
            int k = negatives[0].length;
            float[][] zs = new float[n * k][];
            float[][] a = new float[n * k][];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < k; j++) {
                    zs[i * k + j] = z[cases[i]];
                    a[i * k + j] = actionVectors[negatives[i][j]];
                }
            }
            float[] s = scores(models, zs, a);
            float[][] out = new float[n][k];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < k; j++) {
                    out[i][j] = sigmoid(s[i * k + j]);
                }
            }
            return out;
        };
    }

    private float[] rewards(float[][] z, int[] actions) {
        float[][] a = new float[actions.length][];
        for (int i = 0; i < actions.length; i++) {
            a[i] = actionVectors[actions[i]];
        }
        float[] s = scoresChunked(z, a);
        for (int i = 0; i < s.length; i++) {
            s[i] = sigmoid(s[i]);
        }
        return s;
    }

    /**
     * LEA: for a seed-drawn {@code share} of the transitions, the environment's best positive action
     * as an extra transition: the {@value #LEA_SHORTLIST} items most similar to the state ({@code z .
     * g(a)}), not in the history and not the logged action, re-scored by the reward model; the best
     * one with its reward. Only the supervised head's last position is trained on it.
     */
    public Transitions bestActions(Transitions t, double share, long seed) {
        Random random = new Random(seed * 7 + 3);
        List<Integer> picked = new ArrayList<>();
        for (int i = 0; i < t.size(); i++) {
            if (random.nextDouble() < share) {
                picked.add(i);
            }
        }
        int n = picked.size();
        int length = t.histories()[0].length;
        int[][] h = new int[n][];
        int[][] y = new int[n][length];
        int[] a = new int[n];
        float[] r = new float[n];
        int[][] next = new int[n][];
        float[][] z = new float[n][];
        for (int p = 0; p < n; p++) {
            int i = picked.get(p);
            h[p] = t.histories()[i];
            z[p] = t.envStates()[i];
            float[] sim = dots(z[p], actionVectors);
            sim[0] = Float.NEGATIVE_INFINITY;
            sim[t.actions()[i]] = Float.NEGATIVE_INFINITY;
            for (int row : h[p]) {
                sim[row] = Float.NEGATIVE_INFINITY;
            }
            int[] shortlist = top(sim, LEA_SHORTLIST);
            float[][] zs = new float[shortlist.length][];
            float[][] cand = new float[shortlist.length][];
            for (int c = 0; c < shortlist.length; c++) {
                zs[c] = z[p];
                cand[c] = actionVectors[shortlist[c]];
            }
            float[] s = scores(models, zs, cand);
            int best = 0;
            for (int c = 1; c < s.length; c++) {
                if (s[c] > s[best]) {
                    best = c;
                }
            }
            a[p] = shortlist[best];
            r[p] = sigmoid(s[best]);
            y[p][length - 1] = a[p];
            next[p] = Transitions.shifted(h[p], a[p]);
        }
        float[][] zNext = states(models, text, next);
        return new Transitions(h, y, a, r, next, z, zNext);
    }

    public Map<String, Object> report() {
        return report;
    }

    // ---- helpers ----

    private float[][] computeActions() {
        return actions(models, text);
    }

    static float[][] states(EnvironmentModels models, float[][] text, int[][] windows) {
        int textDim = text[1].length;
        float[][] out = new float[windows.length][];
        for (int from = 0; from < windows.length; from += CHUNK) {
            int to = Math.min(windows.length, from + CHUNK);
            int[][] part = Arrays.copyOfRange(windows, from, to);
            try (NDScope scope = new NDScope(); NDManager m = models.manager().newSubManager()) {
                NDArray x = m.create(EnvironmentModels.features(part, text, textDim), new Shape(part.length, 2L * textDim))
                        .toType(models.dataType(), false);
                float[] flat = models.states(x).toType(DataType.FLOAT32, false).toFloatArray();
                int w = models.stateDim();
                for (int i = 0; i < part.length; i++) {
                    out[from + i] = Arrays.copyOfRange(flat, i * w, (i + 1) * w);
                }
            }
        }
        return out;
    }

    static float[][] actions(EnvironmentModels models, float[][] text) {
        try (NDScope scope = new NDScope(); NDManager m = models.manager().newSubManager()) {
            NDArray table = m.create(flatten(text), new Shape(text.length, text[1].length)).toType(models.dataType(), false);
            float[] flat = models.actions(table).toType(DataType.FLOAT32, false).toFloatArray();
            int w = models.stateDim();
            float[][] out = new float[text.length][];
            for (int i = 0; i < text.length; i++) {
                out[i] = Arrays.copyOfRange(flat, i * w, (i + 1) * w);
            }
            return out;
        }
    }

    private float[] scoresChunked(float[][] z, float[][] a) {
        float[] out = new float[z.length];
        for (int from = 0; from < z.length; from += CHUNK) {
            int to = Math.min(z.length, from + CHUNK);
            float[] s = scores(models, Arrays.copyOfRange(z, from, to), Arrays.copyOfRange(a, from, to));
            System.arraycopy(s, 0, out, from, s.length);
        }
        return out;
    }

    static float[] scores(EnvironmentModels models, float[][] z, float[][] a) {
        try (NDScope scope = new NDScope(); NDManager m = models.manager().newSubManager()) {
            return models.score(matrix(m, z).toType(models.dataType(), false), matrix(m, a).toType(models.dataType(), false))
                    .toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    static float[] dots(float[] v, float[][] table) {
        float[] out = new float[table.length];
        for (int r = 0; r < table.length; r++) {
            float s = 0;
            for (int d = 0; d < v.length; d++) {
                s += v[d] * table[r][d];
            }
            out[r] = s;
        }
        return out;
    }

    /** The rows of the {@code k} highest finite scores, best first (a linear pass: the catalog is scanned once per case). */
    static int[] top(float[] scores, int k) {
        int[] rows = new int[k];
        float[] values = new float[k];
        int count = 0;
        for (int r = 0; r < scores.length; r++) {
            float s = scores[r];
            if (s == Float.NEGATIVE_INFINITY || (count == k && s <= values[k - 1])) {
                continue;
            }
            int place = count < k ? count++ : k - 1;
            while (place > 0 && values[place - 1] < s) {
                values[place] = values[place - 1];
                rows[place] = rows[place - 1];
                place--;
            }
            values[place] = s;
            rows[place] = r;
        }
        return Arrays.copyOf(rows, count);
    }

    static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    private static NDArray matrix(NDManager m, float[][] values) {
        return m.create(flatten(values), new Shape(values.length, values[0].length));
    }

    static float[] flatten(float[][] values) {
        int w = values[0].length;
        float[] flat = new float[values.length * w];
        for (int i = 0; i < values.length; i++) {
            System.arraycopy(values[i], 0, flat, i * w, w);
        }
        return flat;
    }

    private static Map<String, float[]> snapshot(Map<String, NDArray> params) {
        Map<String, float[]> copy = new LinkedHashMap<>();
        params.forEach((name, p) -> copy.put(name, p.toType(DataType.FLOAT32, false).toFloatArray()));
        return copy;
    }

    private static void restore(Map<String, NDArray> params, Map<String, float[]> snapshot) {
        params.forEach((name, p) -> {
            try (NDManager temp = p.getManager().newSubManager()) {
                p.set(new ai.djl.ndarray.index.NDIndex("..."), temp.create(snapshot.get(name), p.getShape()).toType(p.getDataType(), false));
            }
        });
    }

    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    @Override
    public void close() {
        models.close();
    }
}
