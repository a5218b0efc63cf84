package dev.duet.trainer.model;

import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;

/**
 * The linear baseline on the same features as DCNv2:
 * {@code logit = b + sum_f w[cat_f] + genres . v + dense . u + sum_k rw_k h[item_k]}, where
 * {@code rw_k} is the history item's normalised rating over the history length, so liked history
 * items add their weight and disliked ones subtract it.
 *
 * <p>Its table has two columns per embedding row: column 0 is the value's own weight {@code w},
 * column 1 the weight {@code h} it carries as a history item.
 */
public final class LogisticRegressionModel implements TrainableModel {

    private static final int WIDTH = 2;
    private static final int PREDICT_BLOCK = 1024;

    private final int tableRows;
    private final int fields;
    private final int genres;
    private final int history;
    private final ParameterLayout layout = new ParameterLayout();
    private final float[] dense;
    private final float[] table;
    private final int genreOffset;
    private final int denseOffset;
    private final int biasOffset;
    private final int denseWidth;

    public static LogisticRegressionModel create(FeatureEncoding encoding) {
        return new LogisticRegressionModel(encoding.embeddingRows(), encoding.fieldCount(),
                encoding.genreCount(), encoding.historyLength(), encoding.denseWidth());
    }

    LogisticRegressionModel(int tableRows, int fields, int genres, int history, int denseWidth) {
        this.denseWidth = denseWidth;
        this.tableRows = tableRows;
        this.fields = fields;
        this.genres = genres;
        this.history = history;
        genreOffset = layout.add("genre.weight", 1, genres, true);
        denseOffset = layout.add("dense.weight", 1, denseWidth, true);
        biasOffset = layout.add("output.bias", 1, 1, false);
        dense = new float[layout.size()];
        // A convex model: starting from zero is as good as anywhere and fully reproducible.
        table = new float[tableRows * WIDTH];
    }

    @Override
    public String name() {
        return "logistic-regression";
    }

    @Override
    public ParameterLayout layout() {
        return layout;
    }

    @Override
    public float[] dense() {
        return dense;
    }

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
        return WIDTH;
    }

    @Override
    public int lookupsPerSample() {
        return fields + history;
    }

    @Override
    public ModelWorker newWorker(int capacity) {
        return new Worker(capacity);
    }

    @Override
    public float[] predict(EncodedBatch batch) {
        if (batch.fields() != fields || batch.genres() != genres || batch.history() != history
                || batch.denseWidth() != denseWidth) {
            throw new IllegalArgumentException("batch shape does not match the model's");
        }
        int n = batch.size();
        float[] out = new float[n];
        Worker worker = new Worker(PREDICT_BLOCK);
        for (int s = 0; s < n; s += PREDICT_BLOCK) {
            worker.predict(batch, s, Math.min(PREDICT_BLOCK, n - s), out, s);
        }
        return out;
    }

    private final class Worker implements ModelWorker {
        private final int capacity;
        private final float[] ratingWeight;

        Worker(int capacity) {
            this.capacity = capacity;
            this.ratingWeight = new float[history];
        }

        /** The logit of source row {@code r}; leaves the history weights in ratingWeight. */
        private float logit(EncodedBatch src, int r) {
            float s = dense[biasOffset];
            for (int f = 0; f < fields; f++) {
                s += table[row(src.categorical[r * fields + f]) * WIDTH];
            }
            for (int g = 0; g < genres; g++) {
                s += src.genreWeights[r * genres + g] * dense[genreOffset + g];
            }
            for (int j = 0; j < denseWidth; j++) {
                s += src.dense[r * denseWidth + j] * dense[denseOffset + j];
            }
            float count = 0f;
            for (int k = 0; k < history; k++) {
                count += src.historyMask[r * history + k];
            }
            float denominator = Math.max(count, 1f);
            for (int k = 0; k < history; k++) {
                int h = r * history + k;
                float w = src.historyMask[h] * src.historyRatings[h] / denominator;
                ratingWeight[k] = w;
                if (src.historyMask[h] != 0f) {
                    s += w * table[row(src.historyItems[h]) * WIDTH + 1];
                }
            }
            return s;
        }

        private int row(long id) {
            if (id < 0 || id >= tableRows) {
                throw new IllegalArgumentException(
                        "table row " + id + " outside the table's " + tableRows + " rows");
            }
            return (int) id;
        }

        @Override
        public void predict(EncodedBatch src, int start, int count, float[] out, int outOff) {
            for (int i = 0; i < count; i++) {
                out[outOff + i] = Matrices.sigmoid(logit(src, start + i));
            }
        }

        @Override
        public double forwardBackward(EncodedBatch src, int[] index, int start, int count,
                int outBase, float lossScale, float tableL2, float[] denseGrad,
                float[] lookupGrad, int[] lookupRows) {
            if (count > capacity) {
                throw new IllegalArgumentException("block of " + count + " exceeds " + capacity);
            }
            int lookups = fields + history;
            float decay = tableL2 * lossScale;
            double loss = 0;
            double penalty = 0;
            for (int i = 0; i < count; i++) {
                int r = index == null ? start + i : index[start + i];
                float z = logit(src, r);
                float y = src.labels[r];
                loss += lossScale * Matrices.binaryCrossEntropy(z, y);
                float g = lossScale * (Matrices.sigmoid(z) - y);
                denseGrad[biasOffset] += g;
                for (int k = 0; k < genres; k++) {
                    denseGrad[genreOffset + k] += g * src.genreWeights[r * genres + k];
                }
                for (int j = 0; j < denseWidth; j++) {
                    denseGrad[denseOffset + j] += g * src.dense[r * denseWidth + j];
                }
                int slot = (outBase + i) * lookups;
                for (int f = 0; f < fields; f++) {
                    int row = (int) src.categorical[r * fields + f];
                    float w = table[row * WIDTH];
                    penalty += w * w;
                    lookupRows[slot + f] = row;
                    lookupGrad[(slot + f) * WIDTH] = g + decay * w;
                    lookupGrad[(slot + f) * WIDTH + 1] = 0f;
                }
                for (int k = 0; k < history; k++) {
                    int h = r * history + k;
                    int s = slot + fields + k;
                    if (src.historyMask[h] == 0f) {
                        lookupRows[s] = -1;
                        continue;
                    }
                    int row = (int) src.historyItems[h];
                    float w = table[row * WIDTH + 1];
                    penalty += w * w;
                    lookupRows[s] = row;
                    lookupGrad[s * WIDTH] = 0f;
                    lookupGrad[s * WIDTH + 1] = g * ratingWeight[k] + decay * w;
                }
            }
            return loss + 0.5 * decay * penalty;
        }
    }
}
