package dev.duet.trainer.rl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.duet.trainer.nextitem.SasRecInternals;
import dev.duet.trainer.nextitem.SasRecModel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * SASRec's encoder shared by a supervised head (the encoder's own item table: what is served) and
 * the RL heads: a Q head {@code Q(s, a) = [s; z] . W_q[a] + b_q[a]} over every item, where {@code
 * z} is the environment's state when there is one (extra input of the Q head only, so serving
 * needs no environment), and for SA2C a behaviour head estimating the logging policy on the
 * stop-gradient state. A target network (encoder and Q head) is copied from the online one every
 * {@link RlConfig#targetSync()} steps.
 */
public final class RlNetwork implements AutoCloseable {

    private static final float MASKED = -1e9f;

    private final RlConfig config;
    private final int rows;
    private final int envDim;
    private final DataType dataType;
    private final SasRecModel encoder;
    private final SasRecModel targetEncoder;
    private final NDManager headManager;
    private final Map<String, NDArray> heads = new LinkedHashMap<>();
    private final Map<String, NDArray> targetHeads = new LinkedHashMap<>();

    public RlNetwork(RlConfig config, int rows, int envDim, DataType dataType) {
        this.config = config;
        this.rows = rows;
        this.envDim = envDim;
        this.dataType = dataType;
        this.encoder = new SasRecModel(config.encoder(), rows, dataType);
        this.targetEncoder = new SasRecModel(config.encoder(), rows, dataType);
        this.headManager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        Random random = new Random(config.encoder().seed() * 31 + 7);
        int d = config.encoder().dim();
        addHead("q.item", gaussian(random, rows * (d + envDim), 1 / Math.sqrt(d + envDim)), rows, d + envDim);
        addHead("q.bias", new float[rows], rows, 1);
        if (config.variant() == RlVariant.SA2C) {
            addHead("behaviour.item", gaussian(random, rows * d, 1 / Math.sqrt(d)), rows, d);
            addHead("behaviour.bias", new float[rows], rows, 1);
        }
        syncTarget();
    }

    private void addHead(String name, float[] values, int... shape) {
        NDArray a = headManager.create(values, new Shape(shape[0], shape[1])).toType(dataType, false);
        a.setRequiresGradient(true);
        heads.put(name, a);
        if (name.startsWith("q.")) {
            targetHeads.put(name, headManager.create(values, new Shape(shape[0], shape[1])).toType(dataType, false));
        }
    }

    private static float[] gaussian(Random random, int n, double std) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) (random.nextGaussian() * std);
        }
        return w;
    }

    /** The online encoder with its supervised head: the model that is evaluated and exported. */
    public SasRecModel encoder() {
        return encoder;
    }

    public RlConfig config() {
        return config;
    }

    /** The RL heads' parameters by name. */
    public Map<String, NDArray> heads() {
        return java.util.Collections.unmodifiableMap(heads);
    }

    /** Everything the optimiser updates: the encoder, its supervised head and the RL heads. */
    public Map<String, NDArray> trainable() {
        Map<String, NDArray> all = new LinkedHashMap<>(encoder.parameters());
        if (config.hasQHead()) {
            all.putAll(heads);
        }
        return all;
    }

    /** Copies the online encoder and Q head into the target network. */
    public void syncTarget() {
        targetEncoder.restore(encoder.snapshot());
        try (NDManager temp = headManager.newSubManager()) {
            targetHeads.forEach((name, target) -> {
                NDArray online = heads.get(name);
                NDArray copy = temp.create(online.toType(DataType.FLOAT64, false).toDoubleArray(), online.getShape());
                target.set(new NDIndex("..."), copy.toType(dataType, false));
            });
        }
    }

    /**
     * The stop-gradient quantities of a batch: double-Q TD targets from the online network's argmax
     * and the target network's value (no dropout), and for SA2C with {@code actor} the advantage of
     * the logged action over the sampled ones times the clipped, normalised weight pi(a|s)/beta(a|s).
     */
    public Fixed fixed(Batch batch, boolean actor) {
        int n = batch.size();
        int k = batch.negatives()[0].length;
        try (NDScope scope = new NDScope(); NDManager m = SasRecInternals.manager(encoder).newSubManager()) {
            int[][] both = new int[2 * n][];
            System.arraycopy(batch.histories(), 0, both, 0, n);
            System.arraycopy(batch.nextHistories(), 0, both, n, n);
            NDArray history = SasRecInternals.histories(encoder, m, both);
            NDArray mask = SasRecInternals.attentionMask(encoder, m, both);
            NDArray online = SasRecInternals.encode(encoder, history, mask, false).get(new NDIndex(":, -1, :"));
            NDArray target = SasRecInternals.encode(targetEncoder, history, mask, false).get(new NDIndex(":, -1, :"));
            NDArray env = envDim == 0 ? null : matrix(m, concat(batch.envStates(), batch.envNextStates()));
            NDArray qOnline = qAll(m, withEnv(online, env), heads);
            NDArray qTarget = qAll(m, withEnv(target, env), targetHeads);
            NDArray best = qOnline.argMax(1).reshape(2 * n, 1);
            float[] value = qTarget.gather(best, 1).toType(DataType.FLOAT32, false).toFloatArray();
            float gamma = config.discount();
            float[] tdPositive = new float[n];
            float[][] tdNegative = new float[n][k];
            for (int i = 0; i < n; i++) {
                tdPositive[i] = batch.rewards()[i] + gamma * value[n + i];
                for (int j = 0; j < k; j++) {
                    tdNegative[i][j] = batch.negativeRewards()[i][j] + gamma * value[i];
                }
            }
            float[] actorWeight = new float[n];
            float[][] states = null;
            if (config.variant() == RlVariant.SA2C) {
                NDArray state = online.get(new NDIndex("0:" + n));
                states = toMatrix(state, n);
                if (actor) {
                    actorWeight = actorWeights(m, batch, state, qOnline.get(new NDIndex("0:" + n)));
                }
            }
            return new Fixed(tdPositive, tdNegative, actorWeight, states);
        }
    }

    private float[] actorWeights(NDManager m, Batch batch, NDArray state, NDArray q) {
        int n = batch.size();
        int k = batch.negatives()[0].length;
        NDArray actions = m.create(toLong(batch.actions()), new Shape(n, 1));
        float[] qa = q.gather(actions, 1).toType(DataType.FLOAT32, false).toFloatArray();
        float[] qn = q.gather(m.create(toLong(batch.negatives()), new Shape(n, k)), 1).toType(DataType.FLOAT32, false).toFloatArray();
        NDArray policy = state.matMul(encoder.parameters().get("item_embedding").transpose()).softmax(-1).gather(actions, 1);
        NDArray behaviour = state.matMul(heads.get("behaviour.item").transpose())
                .add(heads.get("behaviour.bias").reshape(1, rows)).softmax(-1).gather(actions, 1);
        float[] ratio = policy.div(behaviour).toType(DataType.FLOAT32, false).toFloatArray();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            ratio[i] = Math.min(config.weightClipHigh(), Math.max(config.weightClipLow(), Float.isFinite(ratio[i]) ? ratio[i] : 1f));
            sum += ratio[i];
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double mean = qa[i];
            for (int j = 0; j < k; j++) {
                mean += qn[i * k + j];
            }
            mean /= k + 1;
            double advantage = qa[i] - mean;
            double weight = ratio[i] * n / sum;
            out[i] = (float) Math.max(-1, Math.min(1, weight * advantage));
        }
        return out;
    }

    /**
     * The combined loss of a batch given its stop-gradient quantities: the supervised head's mean
     * cross-entropy over every position with a target, plus lambda times (the Q head's squared TD
     * error on the logged action, plus the mean over the sampled negatives of theirs, plus SA2C's actor term, the
     * last position's cross-entropy weighted by {@link Fixed#actorWeight()}), plus for SA2C the
     * behaviour head's cross-entropy on the stop-gradient states.
     */
    public NDArray loss(NDManager m, Batch batch, Fixed fixed, boolean training) {
        int n = batch.size();
        int length = config.encoder().maxHistory();
        int d = config.encoder().dim();
        NDArray history = SasRecInternals.histories(encoder, m, batch.histories());
        NDArray encoded = SasRecInternals.encode(encoder, history, SasRecInternals.attentionMask(encoder, m, batch.histories()), training);
        // Every position's next item (SASRec's usual loss) or the last one only (SQN's supervised head).
        boolean all = config.encoder().allPositions();
        int width = all ? length : 1;
        NDArray state = encoded.get(new NDIndex(":, -1, :"));
        NDArray logits = (all ? encoded.reshape(-1, d) : state).matMul(encoder.parameters().get("item_embedding").transpose());
        long[] flat = new long[n * width];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < width; p++) {
                flat[i * width + p] = batch.targets()[i][length - width + p];
            }
        }
        NDArray target = m.create(flat, new Shape(n * width, 1));
        NDArray weight = target.neq(0).toType(dataType, false);
        NDArray picked = logits.logSoftmax(-1).gather(target, 1);
        NDArray loss = picked.mul(weight).sum().neg().div(weight.sum().maximum(1));
        if (!config.hasQHead()) {
            return loss;
        }
        int k = batch.negatives()[0].length;
        NDArray env = envDim == 0 ? null : matrix(m, batch.envStates());
        NDArray s = withEnv(state, env);
        NDArray actions = m.create(toLong(batch.actions()), new Shape(n));
        NDArray negatives = m.create(toLong(batch.negatives()), new Shape(n, k));
        NDArray qa = s.mul(lookup(heads.get("q.item"), actions)).sum(new int[] {1})
                .add(lookup(heads.get("q.bias"), actions).reshape(n));
        NDArray qn = s.expandDims(1).mul(lookup(heads.get("q.item"), negatives)).sum(new int[] {2})
                .add(lookup(heads.get("q.bias"), negatives).reshape(n, k));
        NDArray tdPositive = m.create(fixed.tdPositive()).toType(dataType, false);
        NDArray tdNegative = matrix(m, fixed.tdNegative());
        NDArray qLoss = qa.sub(tdPositive).square().mean().add(qn.sub(tdNegative).square().mean());
        NDArray rl = qLoss;
        if (config.variant() == RlVariant.SA2C) {
            NDArray lastCrossEntropy = picked.reshape(n, width).get(new NDIndex(":, -1")).neg();
            NDArray actor = lastCrossEntropy.mul(m.create(fixed.actorWeight()).toType(dataType, false)).mean();
            rl = rl.add(actor);
            NDArray behaviourLogits = matrix(m, fixed.states()).matMul(heads.get("behaviour.item").transpose())
                    .add(heads.get("behaviour.bias").reshape(1, rows));
            NDArray behaviour = behaviourLogits.logSoftmax(-1).gather(actions.reshape(n, 1), 1).mean().neg();
            loss = loss.add(behaviour);
        }
        return loss.add(rl.mul(config.rlWeight()));
    }

    private NDArray qAll(NDManager m, NDArray s, Map<String, NDArray> q) {
        float[] pad = new float[rows];
        pad[0] = MASKED;
        return s.matMul(q.get("q.item").transpose()).add(q.get("q.bias").reshape(1, rows))
                .add(m.create(pad, new Shape(1, rows)).toType(dataType, false));
    }

    private static NDArray withEnv(NDArray state, NDArray env) {
        return env == null ? state : state.concat(env, 1);
    }

    private static NDArray lookup(NDArray table, NDArray index) {
        return Embedding.embedding(index, table, SparseFormat.DENSE).singletonOrThrow();
    }

    private NDArray matrix(NDManager m, float[][] values) {
        int n = values.length;
        int w = values[0].length;
        float[] flat = new float[n * w];
        for (int i = 0; i < n; i++) {
            System.arraycopy(values[i], 0, flat, i * w, w);
        }
        return m.create(flat, new Shape(n, w)).toType(dataType, false);
    }

    private static float[][] toMatrix(NDArray a, int n) {
        float[] flat = a.toType(DataType.FLOAT32, false).toFloatArray();
        int w = flat.length / n;
        float[][] out = new float[n][w];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * w, out[i], 0, w);
        }
        return out;
    }

    private static float[][] concat(float[][] a, float[][] b) {
        float[][] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static long[] toLong(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    static long[] toLong(int[][] v) {
        int w = v[0].length;
        long[] out = new long[v.length * w];
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < w; j++) {
                out[i * w + j] = v[i][j];
            }
        }
        return out;
    }

    NDManager headManager() {
        return headManager;
    }

    @Override
    public void close() {
        try (headManager; SasRecModel t = targetEncoder) {
            encoder.close();
        }
    }
}
