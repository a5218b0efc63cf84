package dev.duet.trainer.model;

import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.features.Vocabulary;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

/**
 * DCNv2 (Wang et al., "DCN V2", WWW 2021) with a full-rank cross network and a parallel deep
 * tower, over Duet's feature encoding.
 *
 * <p>Input {@code x0} (width {@code F*D + 3D + denseWidth}) concatenates: the F categorical fields'
 * embeddings from one shared table; the genre vector {@code genreWeights . G} with a genre matrix
 * {@code G [genres, D]}; two pools over the history items' embeddings (same table as the target
 * item), a masked mean and a masked mean weighted by the normalised rating, so liked and disliked
 * items pull in opposite directions; the optional {@link HistoryFeature}s (liked and not-liked
 * pools, target-aware attention, the target's dot products with the two pools); and the encoding's
 * dense columns (history summaries and, in format 2, the item statistics). Cross layers compute
 * {@code x_{l+1} = x0 * (x_l W_l + b_l) + x_l}; the deep tower is ReLU layers on {@code x0}; the
 * logit is {@code [x_L, h] . w + b}.
 *
 * <p>The behaviour vectors given to the LLM side are the user's embedding plus the rating-weighted
 * history pool (user vector) and the target item's embedding (item vector).
 */
public final class Dcnv2Model implements TrainableModel {

    private static final int PREDICT_BLOCK = 256;

    private final int tableRows;
    private final int fields;
    private final int genres;
    private final int history;
    private final int denseWidth;
    private final int dim;
    private final int crossLayers;
    private final int[] deepLayers;
    private final int inputWidth;
    private final Set<HistoryFeature> features;
    private final boolean likedPools;
    private final boolean attention;
    private final boolean targetDots;
    private final boolean likedTables;
    /** The item field's first row and row count (the rows of the liked tables). */
    private final int itemOffset;
    private final int itemRows;
    /** Column offsets in x0; -1 where the feature is off. */
    private final int genreAt;
    private final int meanAt;
    private final int rateAt;
    private final int likedAt;
    private final int attentionAt;
    private final int dotsAt;
    private final int denseAt;

    private final ParameterLayout layout = new ParameterLayout();
    private final float[] dense;
    private final float[] table;
    private final int genreOffset;
    private final int[] crossWeight;
    private final int[] crossBias;
    private final int[] deepWeight;
    private final int[] deepBias;
    private final int outWeight;
    private final int outBias;
    private final int attentionWeight;
    private final int likedTable;
    private final int dislikedTable;

    /** Per field: the out-of-vocabulary row and the chance to use it instead in training. */
    private final int[] oovRows;
    private final float[] idDropout;
    private final long seed;
    private volatile int epoch;
    /** S-LLMR's pairwise teacher term in training, or null (plain cross-entropy). */
    private volatile PairwiseTeacherTerm teacherTerm;

    /** Transposed weight copies for the backward pass, refreshed after each update. */
    private final float[][] crossWeightT;
    private final float[][] deepWeightT;

    /** A freshly initialised model for the encoding's shapes. */
    public static Dcnv2Model create(FeatureEncoding encoding, Dcnv2Config config) {
        int[] oovRows = new int[encoding.fieldCount()];
        float[] dropout = new float[encoding.fieldCount()];
        for (int f = 0; f < oovRows.length; f++) {
            oovRows[f] = encoding.offset(f) + Vocabulary.OOV;
        }
        dropout[FeatureEncoding.USER] = config.userIdDropout();
        dropout[FeatureEncoding.ITEM] = config.itemIdDropout();
        return new Dcnv2Model(
                oovRows,
                dropout,
                encoding.embeddingRows(),
                encoding.fieldCount(),
                encoding.genreCount(),
                encoding.historyLength(),
                encoding.denseWidth(),
                config.embeddingDim(),
                config.crossLayers(),
                config.deepLayers(),
                config.initStd(),
                config.training().seed(),
                config.historyFeatures());
    }

    Dcnv2Model(int[] oovRows, float[] idDropout, int tableRows, int fields, int genres, int history, int denseWidth,
            int dim, int crossLayers, int[] deepLayers, float initStd, long seed) {
        this(oovRows, idDropout, tableRows, fields, genres, history, denseWidth, dim, crossLayers,
                deepLayers, initStd, seed, EnumSet.noneOf(HistoryFeature.class));
    }

    Dcnv2Model(int[] oovRows, float[] idDropout, int tableRows, int fields, int genres, int history, int denseWidth,
            int dim, int crossLayers, int[] deepLayers, float initStd, long seed,
            Set<HistoryFeature> features) {
        this.denseWidth = denseWidth;
        this.tableRows = tableRows;
        this.fields = fields;
        if (oovRows.length != fields || idDropout.length != fields) {
            throw new IllegalArgumentException("need one OOV row and dropout rate per field");
        }
        this.oovRows = oovRows.clone();
        this.idDropout = idDropout.clone();
        this.seed = seed;
        this.genres = genres;
        this.history = history;
        this.dim = dim;
        this.crossLayers = crossLayers;
        this.deepLayers = deepLayers.clone();
        this.features = features.isEmpty()
                ? EnumSet.noneOf(HistoryFeature.class) : EnumSet.copyOf(features);
        this.likedPools = features.contains(HistoryFeature.LIKED_POOLS);
        this.attention = features.contains(HistoryFeature.ATTENTION);
        this.targetDots = features.contains(HistoryFeature.TARGET_DOTS);
        this.likedTables = features.contains(HistoryFeature.LIKED_TABLES);
        HistoryFeature.requireConsistent(this.features);
        this.itemOffset = oovRows[FeatureEncoding.ITEM];
        this.itemRows = (FeatureEncoding.ITEM + 1 < fields ? oovRows[FeatureEncoding.ITEM + 1] : tableRows)
                - itemOffset;
        int at = fields * dim;
        genreAt = at;
        meanAt = genreAt + dim;
        rateAt = meanAt + dim;
        at = rateAt + dim;
        likedAt = likedPools ? at : -1;
        at += likedPools ? 2 * dim : 0;
        attentionAt = attention ? at : -1;
        at += attention ? dim : 0;
        dotsAt = targetDots ? at : -1;
        at += targetDots ? 2 : 0;
        denseAt = at;
        this.inputWidth = denseAt + denseWidth;
        int d0 = inputWidth;

        genreOffset = layout.add("genre.embedding", genres, dim, true);
        crossWeight = new int[crossLayers];
        crossBias = new int[crossLayers];
        for (int l = 0; l < crossLayers; l++) {
            crossWeight[l] = layout.add("cross." + l + ".weight", d0, d0, true);
            crossBias[l] = layout.add("cross." + l + ".bias", 1, d0, false);
        }
        deepWeight = new int[deepLayers.length];
        deepBias = new int[deepLayers.length];
        int in = d0;
        for (int t = 0; t < deepLayers.length; t++) {
            deepWeight[t] = layout.add("deep." + t + ".weight", in, deepLayers[t], true);
            deepBias[t] = layout.add("deep." + t + ".bias", 1, deepLayers[t], false);
            in = deepLayers[t];
        }
        outWeight = layout.add("output.weight", d0 + deepOut(), 1, true);
        outBias = layout.add("output.bias", 1, 1, false);
        attentionWeight = attention ? layout.add("attention.weight", dim, dim, true) : -1;
        likedTable = likedTables ? layout.add("history.liked", itemRows, dim, true) : -1;
        dislikedTable = likedTables ? layout.add("history.disliked", itemRows, dim, true) : -1;
        dense = new float[layout.size()];
        table = new float[tableRows * dim];

        Random random = new Random(seed);
        for (int j = 0; j < table.length; j++) {
            table[j] = (float) (random.nextGaussian() * initStd);
        }
        for (int j = 0; j < genres * dim; j++) {
            dense[genreOffset + j] = (float) (random.nextGaussian() * initStd);
        }
        for (int l = 0; l < crossLayers; l++) {
            fillUniform(random, crossWeight[l], d0 * d0, Math.sqrt(6.0 / (d0 + d0)));
        }
        in = d0;
        for (int t = 0; t < deepLayers.length; t++) {
            // He initialisation keeps ReLU activations at a steady scale through the tower.
            double std = Math.sqrt(2.0 / in);
            for (int j = 0; j < in * deepLayers[t]; j++) {
                dense[deepWeight[t] + j] = (float) (random.nextGaussian() * std);
            }
            in = deepLayers[t];
        }
        fillUniform(random, outWeight, d0 + deepOut(), Math.sqrt(6.0 / (d0 + deepOut() + 1)));
        if (attention) {
            // Drawn after all the others: a model without these features starts as it did
            // before they existed (same seed, same draws).
            fillUniform(random, attentionWeight, dim * dim, Math.sqrt(6.0 / (dim + dim)));
        }
        if (likedTables) {
            for (int j = 0; j < 2 * itemRows * dim; j++) {
                dense[likedTable + j] = (float) (random.nextGaussian() * initStd);
            }
        }

        crossWeightT = new float[crossLayers][d0 * d0];
        deepWeightT = new float[deepLayers.length][];
        in = d0;
        for (int t = 0; t < deepLayers.length; t++) {
            deepWeightT[t] = new float[in * deepLayers[t]];
            in = deepLayers[t];
        }
        parametersChanged();
    }

    private void fillUniform(Random random, int offset, int count, double limit) {
        for (int j = 0; j < count; j++) {
            dense[offset + j] = (float) ((random.nextDouble() * 2 - 1) * limit);
        }
    }

    private int deepOut() {
        return deepLayers.length == 0 ? 0 : deepLayers[deepLayers.length - 1];
    }

    @Override
    public String name() {
        return "dcnv2";
    }

    @Override
    public ParameterLayout layout() {
        return layout;
    }

    @Override
    public float[] dense() {
        return dense;
    }

    /** The shared embedding table [embeddingRows, D]. */
    @Override
    public float[] table() {
        return table;
    }

    @Override
    public int tableRows() {
        return tableRows;
    }

    @Override
    public int tableWidth() {
        return dim;
    }

    @Override
    public int lookupsPerSample() {
        return fields + history;
    }

    public int embeddingDim() {
        return dim;
    }

    public int fieldCount() {
        return fields;
    }

    public int genreCount() {
        return genres;
    }

    public int historyLength() {
        return history;
    }

    /** Columns of the dense input (the encoding's {@code denseWidth()}). */
    public int denseWidth() {
        return denseWidth;
    }

    public int crossLayers() {
        return crossLayers;
    }

    public int[] deepLayers() {
        return deepLayers.clone();
    }

    /**
     * Width of x0: {@code F*D + 3D + denseWidth}, plus {@code 2D} with {@link
     * HistoryFeature#LIKED_POOLS}, {@code D} with {@link HistoryFeature#ATTENTION} and 2 with
     * {@link HistoryFeature#TARGET_DOTS}.
     */
    public int inputWidth() {
        return inputWidth;
    }

    /** The embedding table's first row of the item field (its OOV row). */
    public int itemOffset() {
        return itemOffset;
    }

    /** The optional history representations in x0. */
    public Set<HistoryFeature> historyFeatures() {
        return features.isEmpty() ? EnumSet.noneOf(HistoryFeature.class) : EnumSet.copyOf(features);
    }

    /** A copy of one named dense parameter group (see {@link #layout()}). */
    public float[] parameter(String name) {
        ParameterGroup g = layout.group(name);
        return Arrays.copyOfRange(dense, g.offset(), g.end());
    }

    @Override
    public void parametersChanged() {
        for (int l = 0; l < crossLayers; l++) {
            Matrices.transpose(dense, crossWeight[l], inputWidth, inputWidth, crossWeightT[l]);
        }
        int in = inputWidth;
        for (int t = 0; t < deepLayers.length; t++) {
            Matrices.transpose(dense, deepWeight[t], in, deepLayers[t], deepWeightT[t]);
            in = deepLayers[t];
        }
    }

    @Override
    public void startEpoch(int epoch) {
        this.epoch = epoch;
    }

    /** Adds S-LLMR's pairwise teacher term to the training loss (null removes it). */
    public void setTeacherTerm(PairwiseTeacherTerm term) {
        this.teacherTerm = term;
    }

    public PairwiseTeacherTerm teacherTerm() {
        return teacherTerm;
    }

    /**
     * Where the training loss of rows {@code index[start .. start + count]} is not differentiable:
     * per row and deep unit whether its ReLU is active, then per adjacent pair whether the teacher
     * term's hinge is. Two parameter values with different patterns lie on either side of a kink,
     * where a finite difference says nothing about the gradient (the gradient check skips them).
     */
    boolean[] activationPattern(EncodedBatch src, int[] index, int start, int count) {
        Worker worker = new Worker(count);
        worker.forward(src, index, start, count, true);
        int units = 0;
        for (int width : deepLayers) {
            units += width;
        }
        boolean[] pattern = new boolean[count * units + count];
        int k = 0;
        for (int t = 0; t < deepLayers.length; t++) {
            for (int j = 0; j < count * deepLayers[t]; j++) {
                pattern[k++] = worker.deepZ[t][j] > 0f;
            }
        }
        PairwiseTeacherTerm term = teacherTerm;
        if (term != null) {
            boolean[] hinges = new boolean[count];
            term.addTo(worker.rows, count, worker.logits, 1f, new float[count], hinges);
            System.arraycopy(hinges, 0, pattern, k, count);
        }
        return pattern;
    }

    /**
     * Whether training replaces source row {@code row}'s field {@code f} by the OOV row in this
     * epoch. Most test users are new (OOV) under a time split, so the OOV row must be trained and
     * the model must learn to lean on profile and history; a hash keeps this reproducible
     * whatever thread handles the row.
     */
    private boolean dropsId(int row, int f) {
        float p = idDropout[f];
        if (p <= 0f) {
            return false;
        }
        long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + row * 0x94D049BB133111EBL + f;
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        return (h >>> 40) * 0x1.0p-24 < p;
    }

    @Override
    public ModelWorker newWorker(int capacity) {
        return new Worker(capacity);
    }

    @Override
    public float[] predict(EncodedBatch batch) {
        return infer(batch).probability();
    }

    /** Per-row user behaviour vectors [size, D]. */
    public float[] userVectors(EncodedBatch batch) {
        return infer(batch).userVector();
    }

    /** Per-row target-item behaviour vectors [size, D]. */
    public float[] itemVectors(EncodedBatch batch) {
        return infer(batch).itemVector();
    }

    /**
     * All three outputs of the model, as the ONNX export computes them.
     *
     * @param probability [n]
     * @param userVector [n, D]
     * @param itemVector [n, D]
     */
    public record Outputs(float[] probability, float[] userVector, float[] itemVector) {}

    /** The forward pass over every row of the batch, single-threaded. */
    public Outputs infer(EncodedBatch batch) {
        checkShape(batch);
        int n = batch.size();
        Outputs out = new Outputs(new float[n], new float[n * dim], new float[n * dim]);
        Worker worker = new Worker(Math.min(PREDICT_BLOCK, Math.max(1, n)));
        for (int s = 0; s < n; s += PREDICT_BLOCK) {
            int c = Math.min(PREDICT_BLOCK, n - s);
            worker.forward(batch, null, s, c);
            for (int i = 0; i < c; i++) {
                out.probability()[s + i] = Matrices.sigmoid(worker.logits[i]);
                int x = i * inputWidth;
                int o = (s + i) * dim;
                int pool = x + rateAt;
                for (int j = 0; j < dim; j++) {
                    out.userVector()[o + j] =
                            worker.x0[x + FeatureEncoding.USER * dim + j] + worker.x0[pool + j];
                    out.itemVector()[o + j] = worker.x0[x + FeatureEncoding.ITEM * dim + j];
                }
            }
        }
        return out;
    }

    private void checkShape(EncodedBatch batch) {
        if (batch.fields() != fields || batch.genres() != genres || batch.history() != history
                || batch.denseWidth() != denseWidth) {
            throw new IllegalArgumentException(
                    "batch shape (fields " + batch.fields() + ", genres " + batch.genres()
                            + ", history " + batch.history() + ", dense " + batch.denseWidth()
                            + ") does not match the model's (" + fields + ", " + genres + ", "
                            + history + ", " + denseWidth + ")");
        }
    }

    /** Buffers for forward and backward over up to {@code capacity} rows. */
    private final class Worker implements ModelWorker {
        private final int capacity;
        final int[] rows;
        private final int[] fieldRows;
        final float[] x0;
        private final float[][] crossX;
        private final float[][] crossZ;
        final float[][] deepZ;
        private final float[][] deepH;
        private final float[] meanWeight;
        private final float[] ratingWeight;
        /** Per history slot: its weight in the liked pool and in the not-liked pool. */
        private final float[] likedWeight;
        private final float[] dislikedWeight;
        /** Per row: the liked pool and the not-liked pool [D] each. */
        private final float[] likedPool;
        private final float[] dislikedPool;
        /** Per row: {@code u = W_a^T e_t} [D]; per history slot: the attention weight. */
        private final float[] attentionQuery;
        private final float[] attentionAlpha;
        /** Per-row scratch of the backward pass. */
        private final float[] gradLiked;
        private final float[] gradDisliked;
        private final float[] gradItemExtra;
        private final float[] gradQuery;
        private final float[] gradAttentionLogit;
        final float[] logits;
        private final float[] gradLogit;
        private float[] gradX;
        private float[] gradXNext;
        private final float[] gradX0;
        private final float[] gradZ;
        private float[] gradH;
        private float[] gradHPrev;

        Worker(int capacity) {
            this.capacity = capacity;
            int d0 = inputWidth;
            rows = new int[capacity];
            fieldRows = new int[capacity * fields];
            x0 = new float[capacity * d0];
            crossX = new float[crossLayers + 1][];
            crossX[0] = x0;
            crossZ = new float[crossLayers][];
            for (int l = 0; l < crossLayers; l++) {
                crossX[l + 1] = new float[capacity * d0];
                crossZ[l] = new float[capacity * d0];
            }
            deepZ = new float[deepLayers.length][];
            deepH = new float[deepLayers.length][];
            int widest = 1;
            for (int t = 0; t < deepLayers.length; t++) {
                deepZ[t] = new float[capacity * deepLayers[t]];
                deepH[t] = new float[capacity * deepLayers[t]];
                widest = Math.max(widest, deepLayers[t]);
            }
            meanWeight = new float[capacity * history];
            ratingWeight = new float[capacity * history];
            boolean pools = likedPools || targetDots;
            likedWeight = new float[pools ? capacity * history : 0];
            dislikedWeight = new float[pools ? capacity * history : 0];
            likedPool = new float[pools ? capacity * dim : 0];
            dislikedPool = new float[pools ? capacity * dim : 0];
            attentionQuery = new float[attention ? capacity * dim : 0];
            attentionAlpha = new float[attention ? capacity * history : 0];
            gradLiked = new float[dim];
            gradDisliked = new float[dim];
            gradItemExtra = new float[dim];
            gradQuery = new float[dim];
            gradAttentionLogit = new float[history];
            logits = new float[capacity];
            gradLogit = new float[capacity];
            gradX = new float[capacity * d0];
            gradXNext = new float[capacity * d0];
            gradX0 = new float[capacity * d0];
            gradZ = new float[capacity * d0];
            gradH = new float[capacity * widest];
            gradHPrev = new float[capacity * widest];
        }

        void forward(EncodedBatch src, int[] index, int start, int count) {
            forward(src, index, start, count, false);
        }

        void forward(EncodedBatch src, int[] index, int start, int count, boolean training) {
            if (count > capacity) {
                throw new IllegalArgumentException("block of " + count + " exceeds " + capacity);
            }
            for (int i = 0; i < count; i++) {
                rows[i] = index == null ? start + i : index[start + i];
            }
            gatherInput(src, count, training);
            int d0 = inputWidth;
            for (int l = 0; l < crossLayers; l++) {
                float[] x = crossX[l];
                float[] z = crossZ[l];
                float[] next = crossX[l + 1];
                Matrices.broadcastRows(dense, crossBias[l], count, d0, z);
                Matrices.gemm(x, 0, count, d0, dense, crossWeight[l], d0, z, 0);
                int n = count * d0;
                for (int j = 0; j < n; j++) {
                    next[j] = x0[j] * z[j] + x[j];
                }
            }
            float[] in = x0;
            int inWidth = d0;
            for (int t = 0; t < deepLayers.length; t++) {
                int width = deepLayers[t];
                float[] z = deepZ[t];
                float[] h = deepH[t];
                Matrices.broadcastRows(dense, deepBias[t], count, width, z);
                Matrices.gemm(in, 0, count, inWidth, dense, deepWeight[t], width, z, 0);
                int n = count * width;
                for (int j = 0; j < n; j++) {
                    h[j] = Math.max(z[j], 0f);
                }
                in = h;
                inWidth = width;
            }
            float[] xl = crossX[crossLayers];
            float[] hl = deepLayers.length == 0 ? null : deepH[deepLayers.length - 1];
            int hw = deepOut();
            for (int i = 0; i < count; i++) {
                float s = dense[outBias];
                int x = i * d0;
                for (int j = 0; j < d0; j++) {
                    s += xl[x + j] * dense[outWeight + j];
                }
                int h = i * hw;
                for (int j = 0; j < hw; j++) {
                    s += hl[h + j] * dense[outWeight + d0 + j];
                }
                logits[i] = s;
            }
        }

        /** Builds x0 from the embeddings, genres, history pools and dense features. */
        private void gatherInput(EncodedBatch src, int count, boolean training) {
            int d0 = inputWidth;
            Arrays.fill(x0, 0, count * d0, 0f);
            for (int i = 0; i < count; i++) {
                int r = rows[i];
                int x = i * d0;
                for (int f = 0; f < fields; f++) {
                    int row = embeddingRow(src.categorical[r * fields + f]);
                    if (training && dropsId(r, f)) {
                        row = oovRows[f];
                    }
                    fieldRows[i * fields + f] = row;
                    System.arraycopy(table, row * dim, x0, x + f * dim, dim);
                }
                for (int g = 0; g < genres; g++) {
                    float w = src.genreWeights[r * genres + g];
                    if (w != 0f) {
                        int m = genreOffset + g * dim;
                        for (int j = 0; j < dim; j++) {
                            x0[x + genreAt + j] += w * dense[m + j];
                        }
                    }
                }
                float count1 = 0f;
                for (int k = 0; k < history; k++) {
                    count1 += src.historyMask[r * history + k];
                }
                // At least one, so an empty history pools to zero instead of dividing by zero.
                float denominator = Math.max(count1, 1f);
                for (int k = 0; k < history; k++) {
                    int h = r * history + k;
                    float mask = src.historyMask[h];
                    float wm = mask / denominator;
                    float wr = mask * src.historyRatings[h] / denominator;
                    meanWeight[i * history + k] = wm;
                    ratingWeight[i * history + k] = wr;
                    if (mask == 0f) {
                        continue;
                    }
                    int e = embeddingRow(src.historyItems[h]) * dim;
                    for (int j = 0; j < dim; j++) {
                        x0[x + meanAt + j] += wm * table[e + j];
                        x0[x + rateAt + j] += wr * table[e + j];
                    }
                }
                if (likedPools || targetDots) {
                    gatherLikedPools(src, i, r, x);
                }
                if (attention) {
                    gatherAttention(src, i, r, x);
                }
                for (int j = 0; j < denseWidth; j++) {
                    x0[x + denseAt + j] = src.dense[r * denseWidth + j];
                }
            }
        }

        /** The liked and not-liked pools of row {@code i} (source row {@code r}, x0 at {@code x}). */
        private void gatherLikedPools(EncodedBatch src, int i, int r, int x) {
            float liked = 0f;
            float disliked = 0f;
            for (int k = 0; k < history; k++) {
                int h = r * history + k;
                float mask = src.historyMask[h];
                if (src.historyRatings[h] > 0f) {
                    liked += mask;
                } else {
                    disliked += mask;
                }
            }
            float likedDen = Math.max(liked, 1f);
            float dislikedDen = Math.max(disliked, 1f);
            int p = i * dim;
            Arrays.fill(likedPool, p, p + dim, 0f);
            Arrays.fill(dislikedPool, p, p + dim, 0f);
            for (int k = 0; k < history; k++) {
                int h = r * history + k;
                float mask = src.historyMask[h];
                boolean isLiked = src.historyRatings[h] > 0f;
                float wl = isLiked ? mask / likedDen : 0f;
                float wn = isLiked ? 0f : mask / dislikedDen;
                likedWeight[i * history + k] = wl;
                dislikedWeight[i * history + k] = wn;
                if (mask == 0f) {
                    continue;
                }
                int row = embeddingRow(src.historyItems[h]);
                if (likedTables) {
                    int e = (isLiked ? likedTable : dislikedTable) + itemIndex(row) * dim;
                    float[] pool = isLiked ? likedPool : dislikedPool;
                    float w = isLiked ? wl : wn;
                    for (int j = 0; j < dim; j++) {
                        pool[p + j] += w * dense[e + j];
                    }
                    continue;
                }
                int e = row * dim;
                for (int j = 0; j < dim; j++) {
                    likedPool[p + j] += wl * table[e + j];
                    dislikedPool[p + j] += wn * table[e + j];
                }
            }
            if (likedPools) {
                System.arraycopy(likedPool, p, x0, x + likedAt, dim);
                System.arraycopy(dislikedPool, p, x0, x + likedAt + dim, dim);
            }
            if (targetDots) {
                int t = x + FeatureEncoding.ITEM * dim;
                float a = 0f;
                float b = 0f;
                for (int j = 0; j < dim; j++) {
                    a += x0[t + j] * likedPool[p + j];
                    b += x0[t + j] * dislikedPool[p + j];
                }
                x0[x + dotsAt] = a;
                x0[x + dotsAt + 1] = b;
            }
        }

        /**
         * The attention pool of row {@code i}: {@code u = W_a^T e_t}, logits {@code u . e_k} over
         * the real history items, softmax weights {@code alpha_k}, pool {@code sum alpha_k r_k e_k}.
         * A row without history gets all-zero weights and a zero pool.
         */
        private void gatherAttention(EncodedBatch src, int i, int r, int x) {
            int t = x + FeatureEncoding.ITEM * dim;
            int q = i * dim;
            for (int j = 0; j < dim; j++) {
                float u = 0f;
                for (int a = 0; a < dim; a++) {
                    u += x0[t + a] * dense[attentionWeight + a * dim + j];
                }
                attentionQuery[q + j] = u;
            }
            float max = Float.NEGATIVE_INFINITY;
            int al = i * history;
            for (int k = 0; k < history; k++) {
                int h = r * history + k;
                if (src.historyMask[h] == 0f) {
                    attentionAlpha[al + k] = 0f;
                    continue;
                }
                int e = embeddingRow(src.historyItems[h]) * dim;
                float logit = 0f;
                for (int j = 0; j < dim; j++) {
                    logit += attentionQuery[q + j] * table[e + j];
                }
                attentionAlpha[al + k] = logit;
                max = Math.max(max, logit);
            }
            float sum = 0f;
            for (int k = 0; k < history; k++) {
                if (src.historyMask[r * history + k] != 0f) {
                    float w = (float) Math.exp(attentionAlpha[al + k] - max);
                    attentionAlpha[al + k] = w;
                    sum += w;
                }
            }
            for (int k = 0; k < history; k++) {
                int h = r * history + k;
                if (src.historyMask[h] == 0f) {
                    continue;
                }
                float alpha = attentionAlpha[al + k] / sum;
                attentionAlpha[al + k] = alpha;
                float w = alpha * src.historyRatings[h];
                int e = embeddingRow(src.historyItems[h]) * dim;
                for (int j = 0; j < dim; j++) {
                    x0[x + attentionAt + j] += w * table[e + j];
                }
            }
        }

        /** A history item's row in the liked tables: its index in the item field. */
        private int itemIndex(int row) {
            int index = row - itemOffset;
            if (index < 0 || index >= itemRows) {
                throw new IllegalArgumentException("history item row " + row
                        + " is not an item row (" + itemOffset + " to " + (itemOffset + itemRows - 1) + ")");
            }
            return index;
        }

        private int embeddingRow(long id) {
            if (id < 0 || id >= tableRows) {
                throw new IllegalArgumentException(
                        "embedding row " + id + " outside the table's " + tableRows + " rows");
            }
            return (int) id;
        }

        @Override
        public void predict(EncodedBatch src, int start, int count, float[] out, int outOff) {
            forward(src, null, start, count);
            for (int i = 0; i < count; i++) {
                out[outOff + i] = Matrices.sigmoid(logits[i]);
            }
        }

        @Override
        public double forwardBackward(EncodedBatch src, int[] index, int start, int count,
                int outBase, float lossScale, float tableL2, float[] denseGrad,
                float[] lookupGrad, int[] lookupRows) {
            forward(src, index, start, count, true);
            int d0 = inputWidth;
            double loss = 0;
            for (int i = 0; i < count; i++) {
                float y = src.labels[rows[i]];
                loss += lossScale * Matrices.binaryCrossEntropy(logits[i], y);
                gradLogit[i] = lossScale * (Matrices.sigmoid(logits[i]) - y);
            }
            PairwiseTeacherTerm term = teacherTerm;
            if (term != null) {
                loss += term.addTo(rows, count, logits, lossScale, gradLogit, null);
            }
            // Output layer.
            float[] xl = crossX[crossLayers];
            int hw = deepOut();
            float[] hl = hw == 0 ? null : deepH[deepLayers.length - 1];
            for (int i = 0; i < count; i++) {
                float g = gradLogit[i];
                denseGrad[outBias] += g;
                int x = i * d0;
                for (int j = 0; j < d0; j++) {
                    denseGrad[outWeight + j] += g * xl[x + j];
                    gradX[x + j] = g * dense[outWeight + j];
                }
                int h = i * hw;
                for (int j = 0; j < hw; j++) {
                    denseGrad[outWeight + d0 + j] += g * hl[h + j];
                    gradH[h + j] = g * dense[outWeight + d0 + j];
                }
            }
            // Deep tower, last layer first; its input gradient ends in gradX0.
            Arrays.fill(gradX0, 0, count * d0, 0f);
            for (int t = deepLayers.length - 1; t >= 0; t--) {
                int width = deepLayers[t];
                float[] z = deepZ[t];
                int n = count * width;
                for (int j = 0; j < n; j++) {
                    if (z[j] <= 0f) {
                        gradH[j] = 0f;
                    }
                }
                float[] in = t == 0 ? x0 : deepH[t - 1];
                int inWidth = t == 0 ? d0 : deepLayers[t - 1];
                Matrices.gemmTransA(in, 0, count, inWidth, gradH, 0, width, denseGrad, deepWeight[t]);
                Matrices.addColumnSums(gradH, count, width, denseGrad, deepBias[t]);
                float[] target = t == 0 ? gradX0 : gradHPrev;
                if (t > 0) {
                    Arrays.fill(gradHPrev, 0, count * inWidth, 0f);
                }
                Matrices.gemm(gradH, 0, count, width, deepWeightT[t], 0, inWidth, target, 0);
                if (t > 0) {
                    float[] swap = gradH;
                    gradH = gradHPrev;
                    gradHPrev = swap;
                }
            }
            // Cross network, last layer first.
            int n = count * d0;
            for (int l = crossLayers - 1; l >= 0; l--) {
                float[] z = crossZ[l];
                for (int j = 0; j < n; j++) {
                    gradZ[j] = gradX[j] * x0[j];
                    gradX0[j] += gradX[j] * z[j];
                }
                Matrices.gemmTransA(crossX[l], 0, count, d0, gradZ, 0, d0, denseGrad, crossWeight[l]);
                Matrices.addColumnSums(gradZ, count, d0, denseGrad, crossBias[l]);
                System.arraycopy(gradX, 0, gradXNext, 0, n);
                Matrices.gemm(gradZ, 0, count, d0, crossWeightT[l], 0, d0, gradXNext, 0);
                float[] swap = gradX;
                gradX = gradXNext;
                gradXNext = swap;
            }
            for (int j = 0; j < n; j++) {
                gradX0[j] += gradX[j];
            }
            return loss + scatterInputGradient(src, count, outBase, lossScale, tableL2, denseGrad,
                    lookupGrad, lookupRows);
        }

        /** Turns dLoss/dx0 into lookup, genre-matrix gradients; returns the table L2 loss. */
        private double scatterInputGradient(EncodedBatch src, int count, int outBase,
                float lossScale, float tableL2, float[] denseGrad, float[] lookupGrad,
                int[] lookupRows) {
            int d0 = inputWidth;
            int lookups = fields + history;
            float decay = tableL2 * lossScale;
            double penalty = 0;
            for (int i = 0; i < count; i++) {
                int r = rows[i];
                int x = i * d0;
                int slot = (outBase + i) * lookups;
                historyFeatureGradients(src, i, r, x, denseGrad);
                for (int f = 0; f < fields; f++) {
                    int row = fieldRows[i * fields + f];
                    lookupRows[slot + f] = row;
                    int gOff = (slot + f) * dim;
                    int e = row * dim;
                    boolean target = f == FeatureEncoding.ITEM;
                    for (int j = 0; j < dim; j++) {
                        float w = table[e + j];
                        penalty += w * w;
                        lookupGrad[gOff + j] = gradX0[x + f * dim + j]
                                + (target ? gradItemExtra[j] : 0f) + decay * w;
                    }
                }
                for (int g = 0; g < genres; g++) {
                    float w = src.genreWeights[r * genres + g];
                    if (w != 0f) {
                        int m = genreOffset + g * dim;
                        for (int j = 0; j < dim; j++) {
                            denseGrad[m + j] += w * gradX0[x + genreAt + j];
                        }
                    }
                }
                for (int k = 0; k < history; k++) {
                    int h = r * history + k;
                    int s = slot + fields + k;
                    if (src.historyMask[h] == 0f) {
                        lookupRows[s] = -1;
                        continue;
                    }
                    int row = (int) src.historyItems[h];
                    lookupRows[s] = row;
                    float wm = meanWeight[i * history + k];
                    float wr = ratingWeight[i * history + k];
                    int gOff = s * dim;
                    int e = row * dim;
                    for (int j = 0; j < dim; j++) {
                        float w = table[e + j];
                        penalty += w * w;
                        lookupGrad[gOff + j] = wm * gradX0[x + meanAt + j]
                                + wr * gradX0[x + rateAt + j] + decay * w;
                    }
                    if (likedTables) {
                        boolean isLiked = src.historyRatings[h] > 0f;
                        float w = isLiked ? likedWeight[i * history + k] : dislikedWeight[i * history + k];
                        float[] g = isLiked ? gradLiked : gradDisliked;
                        int t = (isLiked ? likedTable : dislikedTable) + itemIndex(row) * dim;
                        for (int j = 0; j < dim; j++) {
                            denseGrad[t + j] += w * g[j];
                        }
                    } else if (likedPools || targetDots) {
                        float wl = likedWeight[i * history + k];
                        float wn = dislikedWeight[i * history + k];
                        for (int j = 0; j < dim; j++) {
                            lookupGrad[gOff + j] += wl * gradLiked[j] + wn * gradDisliked[j];
                        }
                    }
                    if (attention) {
                        // Through the pool (alpha_k r_k) and through the logit (u . e_k).
                        float wa = attentionAlpha[i * history + k] * src.historyRatings[h];
                        float gl = gradAttentionLogit[k];
                        int q = i * dim;
                        for (int j = 0; j < dim; j++) {
                            lookupGrad[gOff + j] += wa * gradX0[x + attentionAt + j]
                                    + gl * attentionQuery[q + j];
                        }
                    }
                }
            }
            return 0.5 * decay * penalty;
        }

        /**
         * From dLoss/dx0 of row {@code i}: the gradients of the liked and not-liked pools ({@code
         * gradLiked}, {@code gradDisliked}), of each attention logit ({@code gradAttentionLogit}),
         * the target embedding's gradient beyond its own x0 slot ({@code gradItemExtra}), and
         * {@code attention.weight}'s gradient (added to {@code denseGrad}).
         */
        private void historyFeatureGradients(EncodedBatch src, int i, int r, int x,
                float[] denseGrad) {
            Arrays.fill(gradItemExtra, 0f);
            int t = x + FeatureEncoding.ITEM * dim;
            if (likedPools || targetDots) {
                int p = i * dim;
                float gDotLiked = targetDots ? gradX0[x + dotsAt] : 0f;
                float gDotDisliked = targetDots ? gradX0[x + dotsAt + 1] : 0f;
                for (int j = 0; j < dim; j++) {
                    float gl = likedPools ? gradX0[x + likedAt + j] : 0f;
                    float gn = likedPools ? gradX0[x + likedAt + dim + j] : 0f;
                    gradLiked[j] = gl + gDotLiked * x0[t + j];
                    gradDisliked[j] = gn + gDotDisliked * x0[t + j];
                    gradItemExtra[j] += gDotLiked * likedPool[p + j] + gDotDisliked * dislikedPool[p + j];
                }
            }
            if (!attention) {
                return;
            }
            // d alpha_k = r_k (g . e_k); softmax: d logit_k = alpha_k (d alpha_k - sum_j alpha_j d alpha_j).
            int al = i * history;
            float weighted = 0f;
            for (int k = 0; k < history; k++) {
                int h = r * history + k;
                float alpha = attentionAlpha[al + k];
                if (src.historyMask[h] == 0f) {
                    gradAttentionLogit[k] = 0f;
                    continue;
                }
                int e = (int) src.historyItems[h] * dim;
                float dot = 0f;
                for (int j = 0; j < dim; j++) {
                    dot += gradX0[x + attentionAt + j] * table[e + j];
                }
                float dAlpha = src.historyRatings[h] * dot;
                gradAttentionLogit[k] = dAlpha;
                weighted += alpha * dAlpha;
            }
            Arrays.fill(gradQuery, 0f);
            for (int k = 0; k < history; k++) {
                int h = r * history + k;
                if (src.historyMask[h] == 0f) {
                    continue;
                }
                float gl = attentionAlpha[al + k] * (gradAttentionLogit[k] - weighted);
                gradAttentionLogit[k] = gl;
                int e = (int) src.historyItems[h] * dim;
                for (int j = 0; j < dim; j++) {
                    gradQuery[j] += gl * table[e + j];
                }
            }
            // u = W_a^T e_t: dW[a][j] = e_t[a] du[j], de_t[a] = sum_j W[a][j] du[j].
            for (int a = 0; a < dim; a++) {
                float et = x0[t + a];
                int w = attentionWeight + a * dim;
                float back = 0f;
                for (int j = 0; j < dim; j++) {
                    denseGrad[w + j] += et * gradQuery[j];
                    back += dense[w + j] * gradQuery[j];
                }
                gradItemExtra[a] += back;
            }
        }
    }
}
