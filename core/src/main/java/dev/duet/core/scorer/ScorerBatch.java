package dev.duet.core.scorer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The trained scorer's inputs for a set of rows (one row per candidate), computed from what a
 * worker request carries. Text embeddings are kept once per distinct text (a table) and referenced
 * by index, so that a whole training split fits in memory; {@link #tensors} gathers the dense
 * arrays of {@link ScorerContract} for any rows. The worker builds one per batch, the trainer one
 * per split, both through {@link Builder}: the feature computation exists once.
 */
public final class ScorerBatch {

    /**
     * The graph's inputs for some rows, row-major, as {@link ScorerContract} names them.
     *
     * @param rows how many rows
     */
    public record Tensors(int rows, float[] candidateText, float[] historyText, float[] historyRating,
            float[] historyMask, float[] userBehaviour, float[] itemBehaviour, float[] dense) {}

    private final ScorerSettings settings;
    private final List<float[]> texts;
    private final int[] candidate;
    private final int[] history;
    private final float[] rating;
    private final float[] mask;
    private final float[] user;
    private final float[] item;
    private final float[] dense;
    private final int rows;

    private ScorerBatch(Builder b) {
        this.settings = b.settings;
        this.texts = List.copyOf(b.texts);
        this.rows = b.rows;
        int k = settings.historyLength();
        int d = settings.behaviourDim();
        this.candidate = Arrays.copyOf(b.candidate, rows);
        this.history = Arrays.copyOf(b.history, rows * k);
        this.rating = Arrays.copyOf(b.rating, rows * k);
        this.mask = Arrays.copyOf(b.mask, rows * k);
        this.user = Arrays.copyOf(b.user, rows * d);
        this.item = Arrays.copyOf(b.item, rows * d);
        this.dense = Arrays.copyOf(b.dense, rows * ScorerContract.DENSE_WIDTH);
    }

    public int size() {
        return rows;
    }

    public ScorerSettings settings() {
        return settings;
    }

    /** The CRM logit each row carries (column 0 of dense). */
    public float crmLogit(int row) {
        return dense[row * ScorerContract.DENSE_WIDTH];
    }

    /** Inputs of rows [from, to). */
    public Tensors tensors(int from, int to) {
        int[] rowIds = new int[to - from];
        for (int i = 0; i < rowIds.length; i++) {
            rowIds[i] = from + i;
        }
        return tensors(rowIds);
    }

    /**
     * The same inputs with the texts left as indices into {@link #textTable()} (padding: the index
     * one past the table's end, a zero vector) and the candidate-history cosine similarities
     * computed: what training needs, without copying every history embedding.
     */
    public record Indexed(int rows, long[] candidate, long[] history, float[] cosine, float[] historyRating,
            float[] historyMask, float[] userBehaviour, float[] itemBehaviour, float[] dense) {}

    /** The distinct text embeddings the rows refer to. */
    public List<float[]> textTable() {
        return texts;
    }

    /** {@link Indexed} inputs of the given rows, in that order. */
    public Indexed indexed(int[] rowIds) {
        int n = rowIds.length;
        int e = settings.textDim();
        int k = settings.historyLength();
        int d = settings.behaviourDim();
        int w = ScorerContract.DENSE_WIDTH;
        long[] cand = new long[n];
        long[] hist = new long[n * k];
        float[] cos = new float[n * k];
        float[] rat = new float[n * k];
        float[] msk = new float[n * k];
        float[] u = new float[n * d];
        float[] it = new float[n * d];
        float[] den = new float[n * w];
        for (int i = 0; i < n; i++) {
            int r = rowIds[i];
            cand[i] = candidate[r];
            float[] c = texts.get(candidate[r]);
            for (int j = 0; j < k; j++) {
                int t = history[r * k + j];
                hist[i * k + j] = t >= 0 ? t : texts.size();
                if (t >= 0) {
                    float[] h = texts.get(t);
                    float dot = 0;
                    for (int x = 0; x < e; x++) {
                        dot += c[x] * h[x];
                    }
                    cos[i * k + j] = dot;
                }
            }
            System.arraycopy(rating, r * k, rat, i * k, k);
            System.arraycopy(mask, r * k, msk, i * k, k);
            System.arraycopy(user, r * d, u, i * d, d);
            System.arraycopy(item, r * d, it, i * d, d);
            System.arraycopy(dense, r * w, den, i * w, w);
        }
        return new Indexed(n, cand, hist, cos, rat, msk, u, it, den);
    }

    /** Inputs of the given rows, in that order. */
    public Tensors tensors(int[] rowIds) {
        int n = rowIds.length;
        int e = settings.textDim();
        int k = settings.historyLength();
        int d = settings.behaviourDim();
        int w = ScorerContract.DENSE_WIDTH;
        float[] cand = new float[n * e];
        float[] hist = new float[n * k * e];
        float[] rat = new float[n * k];
        float[] msk = new float[n * k];
        float[] u = new float[n * d];
        float[] it = new float[n * d];
        float[] den = new float[n * w];
        for (int i = 0; i < n; i++) {
            int r = rowIds[i];
            System.arraycopy(texts.get(candidate[r]), 0, cand, i * e, e);
            for (int j = 0; j < k; j++) {
                int t = history[r * k + j];
                if (t >= 0) {
                    System.arraycopy(texts.get(t), 0, hist, (i * k + j) * e, e);
                }
            }
            System.arraycopy(rating, r * k, rat, i * k, k);
            System.arraycopy(mask, r * k, msk, i * k, k);
            System.arraycopy(user, r * d, u, i * d, d);
            System.arraycopy(item, r * d, it, i * d, d);
            System.arraycopy(dense, r * w, den, i * w, w);
        }
        return new Tensors(n, cand, hist, rat, msk, u, it, den);
    }

    /** Accumulates texts and rows; {@link #build()} freezes them. */
    public static final class Builder {
        private final ScorerSettings settings;
        private final List<float[]> texts = new ArrayList<>();
        private int rows;
        private int[] candidate = new int[16];
        private int[] history;
        private float[] rating;
        private float[] mask;
        private float[] user;
        private float[] item;
        private float[] dense;

        public Builder(ScorerSettings settings) {
            this.settings = settings;
            int k = settings.historyLength();
            int d = settings.behaviourDim();
            history = new int[16 * k];
            rating = new float[16 * k];
            mask = new float[16 * k];
            user = new float[16 * d];
            item = new float[16 * d];
            dense = new float[16 * ScorerContract.DENSE_WIDTH];
        }

        /** Adds a text embedding to the table and returns its index. */
        public int addText(float[] embedding) {
            if (embedding.length != settings.textDim()) {
                throw new IllegalArgumentException("text embedding has width " + embedding.length
                        + ", the scorer expects " + settings.textDim() + " (encoder " + settings.encoder() + ")");
            }
            texts.add(embedding);
            return texts.size() - 1;
        }

        /**
         * Adds one row.
         *
         * @param candidateText table index of the candidate's text
         * @param historyTexts table indices of the history items' texts, oldest first (only the
         *     last K are used)
         * @param ratings the history items' raw ratings (0: implicit feedback), aligned
         * @param crmProbability the CRM's probability for the candidate
         * @param userBehaviour the CRM's user vector, or empty
         * @param itemBehaviour the CRM's vector of the candidate, or empty
         */
        public Builder addRow(int candidateText, int[] historyTexts, float[] ratings, float crmProbability,
                float[] userBehaviour, float[] itemBehaviour) {
            if (historyTexts.length != ratings.length) {
                throw new IllegalArgumentException("history texts and ratings differ in length");
            }
            int k = settings.historyLength();
            int d = settings.behaviourDim();
            grow();
            candidate[rows] = candidateText;
            int from = Math.max(0, historyTexts.length - k);
            int length = historyTexts.length - from;
            float sum = 0;
            for (int j = 0; j < k; j++) {
                int at = rows * k + j;
                if (j < length) {
                    float r = settings.normalizeRating(ratings[from + j]);
                    history[at] = historyTexts[from + j];
                    rating[at] = r;
                    mask[at] = 1f;
                    sum += r;
                } else {
                    history[at] = -1;
                    rating[at] = 0f;
                    mask[at] = 0f;
                }
            }
            copyBehaviour(userBehaviour, user, rows * d, d, "user behaviour");
            copyBehaviour(itemBehaviour, item, rows * d, d, "candidate behaviour");
            int w = rows * ScorerContract.DENSE_WIDTH;
            dense[w] = settings.crmLogit(crmProbability);
            dense[w + 1] = (float) length / k;
            dense[w + 2] = length == 0 ? 0f : sum / length;
            rows++;
            return this;
        }

        private static void copyBehaviour(float[] v, float[] into, int at, int d, String what) {
            if (v.length == 0) {
                Arrays.fill(into, at, at + d, 0f);
                return;
            }
            if (v.length != d) {
                throw new IllegalArgumentException(what + " has width " + v.length + ", the scorer expects " + d);
            }
            System.arraycopy(v, 0, into, at, d);
        }

        private void grow() {
            if (rows < candidate.length) {
                return;
            }
            int n = candidate.length * 2;
            int k = settings.historyLength();
            int d = settings.behaviourDim();
            candidate = Arrays.copyOf(candidate, n);
            history = Arrays.copyOf(history, n * k);
            rating = Arrays.copyOf(rating, n * k);
            mask = Arrays.copyOf(mask, n * k);
            user = Arrays.copyOf(user, n * d);
            item = Arrays.copyOf(item, n * d);
            dense = Arrays.copyOf(dense, n * ScorerContract.DENSE_WIDTH);
        }

        public ScorerBatch build() {
            return new ScorerBatch(this);
        }
    }
}
