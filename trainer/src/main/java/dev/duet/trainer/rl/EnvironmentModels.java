package dev.duet.trainer.rl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The environment's trained adapters over frozen text-encoder vectors (DJL, autograd):
 *
 * <ul>
 *   <li>the <b>state model</b>: {@code z = W2 relu(W1 [mean of the history's item vectors; the last
 *       item's vector] + b1) + b2}, with an action tower {@code g(a) = G e(a)} over the item's text
 *       vector; trained with the state-action similarity loss, a softmax over the catalog of {@code
 *       z . g(a)} whose target is the next item;</li>
 *   <li>the <b>reward model</b>: a score head {@code s(z, a) = w2 . relu(V [z; g(a); z * g(a)] + c1)
 *       + c2} over the frozen state and action vectors, trained with the pairwise preference loss
 *       {@code -log sigmoid(s(z, next) - s(z, sampled item not interacted with))}; the reward is
 *       {@code sigmoid(s)}.</li>
 * </ul>
 */
public final class EnvironmentModels implements AutoCloseable {

    private static final float MASKED = -1e9f;

    private final int textDim;
    private final int hidden;
    private final int stateDim;
    private final DataType dataType;
    private final NDManager manager;
    private final Map<String, NDArray> state = new LinkedHashMap<>();
    private final Map<String, NDArray> reward = new LinkedHashMap<>();

    public EnvironmentModels(int textDim, int hidden, int stateDim, long seed, DataType dataType) {
        this.textDim = textDim;
        this.hidden = hidden;
        this.stateDim = stateDim;
        this.dataType = dataType;
        this.manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        Random random = new Random(seed);
        add(state, "state.w1", random, 2 * textDim, hidden);
        add(state, "state.b1", null, 1, hidden);
        add(state, "state.w2", random, hidden, stateDim);
        add(state, "state.b2", null, 1, stateDim);
        add(state, "state.g", random, textDim, stateDim);
        add(reward, "reward.w1", random, 3 * stateDim, hidden);
        add(reward, "reward.b1", null, 1, hidden);
        add(reward, "reward.w2", random, hidden, 1);
        add(reward, "reward.b2", null, 1, 1);
    }

    private void add(Map<String, NDArray> into, String name, Random random, int in, int out) {
        float[] v = new float[in * out];
        if (random != null) {
            double std = Math.sqrt(2.0 / (in + out));
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (random.nextGaussian() * std);
            }
        }
        NDArray a = manager.create(v, new Shape(in, out)).toType(dataType, false);
        a.setRequiresGradient(true);
        into.put(name, a);
    }

    public Map<String, NDArray> stateParameters() {
        return Collections.unmodifiableMap(state);
    }

    public Map<String, NDArray> rewardParameters() {
        return Collections.unmodifiableMap(reward);
    }

    public int stateDim() {
        return stateDim;
    }

    public DataType dataType() {
        return dataType;
    }

    NDManager manager() {
        return manager;
    }

    /** {@code [n, 2 * textDim]}: the mean of the history's item vectors and the last item's vector. */
    public static float[] features(int[][] windows, float[][] text, int textDim) {
        int n = windows.length;
        float[] x = new float[n * 2 * textDim];
        for (int i = 0; i < n; i++) {
            int[] w = windows[i];
            int count = 0;
            int base = i * 2 * textDim;
            for (int row : w) {
                if (row == 0) {
                    continue;
                }
                count++;
                for (int d = 0; d < textDim; d++) {
                    x[base + d] += text[row][d];
                }
            }
            for (int d = 0; d < textDim && count > 0; d++) {
                x[base + d] /= count;
            }
            int last = w[w.length - 1];
            if (last != 0) {
                System.arraycopy(text[last], 0, x, base + textDim, textDim);
            }
        }
        return x;
    }

    /** The state model: {@code [n, stateDim]} from features {@code [n, 2 * textDim]}. */
    public NDArray states(NDArray features) {
        return Activation.relu(features.matMul(state.get("state.w1")).add(state.get("state.b1")))
                .matMul(state.get("state.w2")).add(state.get("state.b2"));
    }

    /** The action tower: {@code [rows, stateDim]} from the item text table {@code [rows, textDim]}. */
    public NDArray actions(NDArray textTable) {
        return textTable.matMul(state.get("state.g"));
    }

    /**
     * The state-action similarity loss: mean cross-entropy of the softmax over the catalog (row 0,
     * padding, excluded) of {@code z . g(a)}, the target being the next item.
     */
    public NDArray stateLoss(NDManager m, NDArray features, NDArray textTable, int[] nextItems) {
        NDArray logits = states(features).matMul(actions(textTable).transpose());
        int rows = (int) textTable.getShape().get(0);
        float[] pad = new float[rows];
        pad[0] = MASKED;
        logits = logits.add(m.create(pad, new Shape(1, rows)).toType(dataType, false));
        NDArray target = m.create(RlNetwork.toLong(nextItems), new Shape(nextItems.length, 1));
        return logits.logSoftmax(-1).gather(target, 1).mean().neg();
    }

    /** The reward model's score {@code [n]} of frozen states {@code [n, Dz]} and action vectors {@code [n, Dz]}. */
    public NDArray score(NDArray states, NDArray actionVectors) {
        NDArray input = states.concat(actionVectors, 1).concat(states.mul(actionVectors), 1);
        return Activation.relu(input.matMul(reward.get("reward.w1")).add(reward.get("reward.b1")))
                .matMul(reward.get("reward.w2")).add(reward.get("reward.b2")).reshape(-1);
    }

    /** The pairwise preference loss: mean of {@code softplus(-(s(z, next) - s(z, other)))}. */
    public NDArray rewardLoss(NDArray states, NDArray preferred, NDArray other) {
        return Activation.softPlus(score(states, preferred).sub(score(states, other)).neg()).mean();
    }

    @Override
    public void close() {
        manager.close();
    }
}
