package dev.duet.trainer.corella;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.duet.core.scorer.ScorerBatch;
import dev.duet.core.scorer.ScorerContract;
import dev.duet.core.scorer.ScorerSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The scorer's forward pass and losses on DJL arrays (PyTorch engine), in float32 for training and
 * float64 for the gradient check. {@link ScorerExporter} writes the same computation as ONNX.
 *
 * <pre>
 * ct    = c W_t + b_t                          text-side item representation   [B, d]
 * Ht    = H W_t + b_t                          history items                   [B, K, d]
 * item  = ct + ib W_ib                         hybrid item (LLaRA: behaviour projected)
 * Hr    = Ht + r w_r                           history items with their rating
 * a     = softmax_k( (Ht . item W_a) / sqrt d, padding masked ) * mask
 * v     = sum_k a_k Hr_k                       candidate-attended history
 * ut    = mean_k Hr_k                          text-side user representation
 * ubp   = ub W_ub                              the CRM's user vector projected
 * cos_k = H_k . c                              frozen-encoder cosine similarities
 * x     = [item, v, item*v, ut, ubp, item*ubp, sum a r, mean cos*r, mean cos, dense * dense_scale]
 * z     = relu(x W_1 + b_1) w_2 + b_2 + w_crm * crm_logit
 * </pre>
 */
public final class ScorerNetwork {

    /** What the forward pass returns: the logit [B] and the two text-side representations. */
    public record Output(NDArray logit, NDArray userText, NDArray itemText) {}

    private final ScorerSettings settings;
    private final ScorerConfig config;

    public ScorerNetwork(ScorerSettings settings, ScorerConfig config) {
        this.settings = settings;
        this.config = config;
    }

    /** The graph inputs of some rows as arrays of {@code type} in {@code manager}. */
    public NDList inputs(NDManager manager, ScorerBatch.Tensors t, DataType type) {
        int n = t.rows();
        int e = settings.textDim();
        int k = settings.historyLength();
        int d = settings.behaviourDim();
        return new NDList(
                array(manager, t.candidateText(), type, n, e),
                array(manager, t.historyText(), type, n, k, e),
                array(manager, t.historyRating(), type, n, k),
                array(manager, t.historyMask(), type, n, k),
                array(manager, t.userBehaviour(), type, n, d),
                array(manager, t.itemBehaviour(), type, n, d),
                array(manager, t.dense(), type, n, ScorerContract.DENSE_WIDTH));
    }

    static NDArray array(NDManager manager, float[] values, DataType type, long... shape) {
        NDArray a = manager.create(values, new Shape(shape));
        return type == DataType.FLOAT32 ? a : a.toType(type, false);
    }

    /** The weights as arrays of {@code type} in {@code manager}, optionally requiring gradients. */
    public static Map<String, NDArray> arrays(NDManager manager, ScorerParameters p, DataType type, boolean gradients) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String name : ScorerParameters.NAMES) {
            NDArray a = array(manager, p.get(name), type, toLong(p.shape(name)));
            if (gradients && !p.isFrozen(name)) {
                a.setRequiresGradient(true);
            }
            out.put(name, a);
        }
        return out;
    }

    static long[] toLong(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape[i];
        }
        return s;
    }

    /** The dense-input mask: the CRM logit column is zero when the configuration leaves it out. */
    public float[] denseScale() {
        return new float[] {config.useCrmLogit() ? 1f : 0f, 1f, 1f};
    }

    /** The graph's computation on the dense inputs of {@link #inputs} (what the exported graph gets). */
    public Output forward(Map<String, NDArray> w, NDList in) {
        NDArray c = in.get(0);
        NDArray h = in.get(1);
        NDArray ct = c.matMul(w.get("text_w")).add(w.get("text_b"));
        NDArray ht = h.matMul(w.get("text_w")).add(w.get("text_b"));
        NDArray cos = h.mul(c.expandDims(1)).sum(new int[] {2});
        return tail(w, ct, ht, cos, in.get(2), in.get(3), in.get(4), in.get(5), in.get(6));
    }

    /**
     * The text table with a zero row appended (the padding index), as an array without gradient.
     */
    public NDArray table(NDManager manager, ScorerBatch batch, DataType type) {
        java.util.List<float[]> texts = batch.textTable();
        int e = settings.textDim();
        float[] flat = new float[(texts.size() + 1) * e];
        for (int i = 0; i < texts.size(); i++) {
            System.arraycopy(texts.get(i), 0, flat, i * e, e);
        }
        return array(manager, flat, type, texts.size() + 1, e);
    }

    /** The indexed inputs of some rows: candidate and history indices, cosines, and the rest. */
    public NDList indexedInputs(NDManager manager, ScorerBatch.Indexed t, DataType type) {
        int n = t.rows();
        int k = settings.historyLength();
        int d = settings.behaviourDim();
        return new NDList(
                manager.create(t.candidate(), new Shape(n)),
                manager.create(t.history(), new Shape((long) n * k)),
                array(manager, t.cosine(), type, n, k),
                array(manager, t.historyRating(), type, n, k),
                array(manager, t.historyMask(), type, n, k),
                array(manager, t.userBehaviour(), type, n, d),
                array(manager, t.itemBehaviour(), type, n, d),
                array(manager, t.dense(), type, n, ScorerContract.DENSE_WIDTH));
    }

    /**
     * The same computation with the texts given as indices into the table: the table is projected
     * once and gathered (the projection of a gathered row equals the gathered projection; the zero
     * padding row projects to the bias, as a zero history row does), so training never copies the
     * history embeddings. The cosines come precomputed.
     */
    public Output forwardIndexed(Map<String, NDArray> w, NDArray table, NDList in) {
        NDManager manager = in.get(0).getManager();
        NDArray projected = table.matMul(w.get("text_w"));
        projected.attach(manager);
        NDArray biased = projected.add(w.get("text_b"));
        biased.attach(manager);
        long n = in.get(0).getShape().get(0);
        NDArray ct = biased.get(in.get(0));
        NDArray ht = biased.get(in.get(1)).reshape(n, settings.historyLength(), config.dim());
        return tail(w, ct, ht, in.get(2), in.get(3), in.get(4), in.get(5), in.get(6), in.get(7));
    }

    private Output tail(Map<String, NDArray> w, NDArray ct, NDArray ht, NDArray cos, NDArray r, NDArray m,
            NDArray ub, NDArray ib, NDArray dense) {
        NDManager manager = r.getManager();
        DataType type = r.getDataType();
        int[] axis1 = {1};
        int[] axis2 = {2};
        NDArray item = ct.add(ib.matMul(w.get("item_beh_w")));
        NDArray hr = ht.add(r.expandDims(2).mul(w.get("rating_w")));
        NDArray query = item.matMul(w.get("attn_w"));
        NDArray scores = ht.mul(query.expandDims(1)).sum(axis2).mul((float) (1.0 / Math.sqrt(config.dim())));
        NDArray masked = scores.add(m.sub(1f).mul(1e4f));
        NDArray attention = masked.softmax(1).mul(m);
        NDArray pooled = hr.mul(attention.expandDims(2)).sum(axis1);
        NDArray count = m.sum(axis1, true).maximum(1f);
        NDArray userText = hr.mul(m.expandDims(2)).sum(axis1).div(count);
        NDArray userBehaviour = ub.matMul(w.get("user_beh_w"));
        NDArray attendedRating = attention.mul(r).sum(axis1, true);
        NDArray ratedSimilarity = cos.mul(r).mul(m).sum(axis1, true).div(count);
        NDArray meanSimilarity = cos.mul(m).sum(axis1, true).div(count);
        NDArray scale = array(manager, denseScale(), type, 1, ScorerContract.DENSE_WIDTH);
        NDArray x = NDArrays.concat(new NDList(item, pooled, item.mul(pooled), userText, userBehaviour,
                item.mul(userBehaviour), attendedRating, ratedSimilarity, meanSimilarity, dense.mul(scale)), 1);
        NDArray hidden = Activation.relu(x.matMul(w.get("mlp_w1")).add(w.get("mlp_b1")));
        NDArray crmLogit = dense.get(":, 0:1");
        NDArray z = hidden.matMul(w.get("mlp_w2")).add(w.get("mlp_b2")).add(crmLogit.mul(w.get("crm_w")));
        return new Output(z.squeeze(1), userText, ct);
    }

    /** {@link #loss(Map, Output, NDArray, NDArray, NDArray, NDArray)} on the dense inputs. */
    public NDArray loss(Map<String, NDArray> w, NDList in, NDArray labels, NDArray weights) {
        return loss(w, forward(w, in), in.get(4), in.get(5), labels, weights);
    }

    /** The training loss on the indexed inputs (what the trainer optimises). */
    public NDArray lossIndexed(Map<String, NDArray> w, NDArray table, NDList in, NDArray labels, NDArray weights) {
        return loss(w, forwardIndexed(w, table, in), in.get(5), in.get(6), labels, weights);
    }

    /**
     * The training loss: hardness-weighted binary cross-entropy (mean over the batch) plus
     * {@code alignWeight} times the two in-batch InfoNCE alignment losses.
     *
     * @param labels [B] in {0, 1}
     * @param weights [B] sample weights (mean 1 over the training split)
     */
    public NDArray loss(Map<String, NDArray> w, Output o, NDArray userVector, NDArray itemVector, NDArray labels,
            NDArray weights) {
        NDArray z = o.logit();
        // softplus(z) - y z, computed stably.
        NDArray softplus = z.maximum(0f).add(z.abs().neg().exp().add(1f).log());
        NDArray bce = softplus.sub(z.mul(labels)).mul(weights).mean();
        if (config.alignWeight() == 0) {
            return bce;
        }
        NDArray align = infoNce(o.userText().matMul(w.get("align_user")), userVector)
                .add(infoNce(o.itemText().matMul(w.get("align_item")), itemVector));
        return bce.add(align.mul((float) config.alignWeight()));
    }

    /** In-batch contrastive loss: row i of {@code a} should be closest (cosine) to row i of {@code b}. */
    NDArray infoNce(NDArray a, NDArray b) {
        NDArray an = normalize(a);
        NDArray bn = normalize(b);
        NDArray logits = an.matMul(bn.transpose()).mul((float) (1.0 / config.temperature()));
        long n = logits.getShape().get(0);
        NDArray eye = a.getManager().eye((int) n).toType(a.getDataType(), false);
        return logits.logSoftmax(1).mul(eye).sum().div((float) -n);
    }

    private static NDArray normalize(NDArray a) {
        // The small floor keeps the gradient finite for an all-zero vector (a request without one).
        return a.div(a.square().sum(new int[] {1}, true).add(1e-12f).sqrt());
    }
}
