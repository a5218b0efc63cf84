package dev.duet.worker.internal;

import dev.duet.core.onnx.SharedSessions;
import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import dev.duet.worker.RequestLimits;
import dev.duet.worker.ScoringBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores with a pretrained sentence encoder: each candidate's similarity to the user's liked
 * history (rating-weighted), to the disliked history and its maximum similarity, together with
 * the CRM's logit, go through a small {@link LogisticHead}. Item embeddings are cached by text
 * (bounded LRU) because histories repeat across requests; a batch embeds all missing texts with
 * one model call.
 */
public final class TextEncoderBackend implements ScoringBackend {

    private static final double CRM_CLIP = 0.01;

    private final SentenceEncoder encoder;
    private final LogisticHead head;
    private final LruCache<String, float[]> cache;
    private final ItemText itemText;
    private final int maxHistory;

    private TextEncoderBackend(SentenceEncoder encoder, LogisticHead head, int cacheSize,
            RequestLimits limits) {
        this.encoder = encoder;
        this.head = head;
        this.cache = new LruCache<>(cacheSize);
        this.itemText = new ItemText(limits);
        this.maxHistory = limits.maxHistoryItems();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String modelName() {
        return "text-encoder:" + encoder.name();
    }

    @Override
    public String modelVersion() {
        return encoder.version() + "+head-" + head.version();
    }

    public LruCache<String, float[]> cache() {
        return cache;
    }

    @Override
    public List<float[]> scoreBatch(List<ScoreRequest> requests) throws Exception {
        Map<String, float[]> vectors = embedAll(requests);
        List<float[]> out = new ArrayList<>(requests.size());
        for (ScoreRequest r : requests) {
            List<HistoryItem> history = r.getHistoryList()
                    .subList(Math.max(0, r.getHistoryCount() - maxHistory), r.getHistoryCount());
            float[] scores = new float[r.getCandidatesCount()];
            for (int c = 0; c < scores.length; c++) {
                Candidate cand = r.getCandidates(c);
                double[] f = features(vectors.get(itemText.full(cand)), history, vectors,
                        cand.getCrmProbability());
                double z = head.logit(f);
                scores[c] = (float) (r.getTask() == Task.TASK_POINTWISE ? LogisticHead.sigmoid(z) : z);
            }
            out.add(scores);
        }
        return out;
    }

    /**
     * The head's inputs for every candidate of every request (entry i: one row per candidate of
     * request i, columns in {@link LogisticHead#FEATURES} order). Calibration fits a head on these.
     */
    public List<double[][]> headFeatures(List<ScoreRequest> requests) throws Exception {
        Map<String, float[]> vectors = embedAll(requests);
        List<double[][]> out = new ArrayList<>(requests.size());
        for (ScoreRequest r : requests) {
            List<HistoryItem> history = r.getHistoryList()
                    .subList(Math.max(0, r.getHistoryCount() - maxHistory), r.getHistoryCount());
            double[][] rows = new double[r.getCandidatesCount()][];
            for (int c = 0; c < rows.length; c++) {
                Candidate cand = r.getCandidates(c);
                rows[c] = features(vectors.get(itemText.full(cand)), history, vectors,
                        cand.getCrmProbability());
            }
            out.add(rows);
        }
        return out;
    }

    /** The head's inputs for one candidate; see LogisticHead.FEATURES for the order. */
    double[] features(float[] candidate, List<HistoryItem> history, Map<String, float[]> vectors,
            float crmProbability) {
        double liked = 0;
        double likedWeight = 0;
        double disliked = 0;
        double dislikedWeight = 0;
        double max = 0;
        boolean any = false;
        double threshold = head.likeThreshold();
        for (HistoryItem h : history) {
            double s = dot(candidate, vectors.get(itemText.full(h)));
            max = any ? Math.max(max, s) : s;
            any = true;
            float rating = h.getRating();
            if (rating <= 0f) {
                // Implicit feedback: an interaction counts as liked with unit weight.
                liked += s;
                likedWeight += 1;
            } else if (rating >= threshold) {
                liked += rating * s;
                likedWeight += rating;
            } else {
                double w = threshold - rating;
                disliked += w * s;
                dislikedWeight += w;
            }
        }
        double p = Math.min(1 - CRM_CLIP, Math.max(CRM_CLIP, crmProbability));
        return new double[] {
            likedWeight > 0 ? liked / likedWeight : 0,
            dislikedWeight > 0 ? disliked / dislikedWeight : 0,
            max,
            Math.log(p / (1 - p))
        };
    }

    /** Embeddings of every item text in the batch; only cache misses reach the model. */
    private Map<String, float[]> embedAll(List<ScoreRequest> requests) throws Exception {
        Map<String, float[]> vectors = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (ScoreRequest r : requests) {
            for (int i = Math.max(0, r.getHistoryCount() - maxHistory); i < r.getHistoryCount(); i++) {
                need(itemText.full(r.getHistory(i)), vectors, missing);
            }
            for (Candidate c : r.getCandidatesList()) {
                need(itemText.full(c), vectors, missing);
            }
        }
        if (!missing.isEmpty()) {
            float[][] embedded = encoder.embed(missing);
            for (int i = 0; i < missing.size(); i++) {
                vectors.put(missing.get(i), embedded[i]);
                cache.put(missing.get(i), embedded[i]);
            }
        }
        return vectors;
    }

    private void need(String text, Map<String, float[]> vectors, List<String> missing) {
        if (vectors.containsKey(text)) {
            return;
        }
        float[] cached = cache.get(text);
        vectors.put(text, cached);
        if (cached == null) {
            missing.add(text);
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Override
    public void close() throws Exception {
        encoder.close();
    }

    /** Builder; {@link #build()} loads the encoder and the head. */
    public static final class Builder {
        private String model = "all-minilm-l6-v2";
        private SentenceEncoder.Pooling pooling = SentenceEncoder.Pooling.MEAN;
        private SharedSessions.Device device = SharedSessions.Device.CPU;
        private int intraOpThreads = 0;
        private Path headFile;
        private int cacheSize = 50_000;
        private int maxTokens = 128;
        private RequestLimits limits = RequestLimits.defaults();

        /** A bundled encoder name (all-minilm-l6-v2) or a folder with model.onnx + tokenizer.json. */
        public Builder model(String v) {
            this.model = v;
            return this;
        }

        /** Pooling for encoders loaded from a folder (bundled ones know theirs). */
        public Builder pooling(SentenceEncoder.Pooling v) {
            this.pooling = v;
            return this;
        }

        public Builder device(SharedSessions.Device v) {
            this.device = v;
            return this;
        }

        public Builder intraOpThreads(int v) {
            this.intraOpThreads = v;
            return this;
        }

        /** Head weights (JSON); without one the documented defaults apply. */
        public Builder head(Path v) {
            this.headFile = v;
            return this;
        }

        public Builder cacheSize(int v) {
            this.cacheSize = v;
            return this;
        }

        /** Item texts are cut to this many tokens by the encoder's tokenizer. */
        public Builder maxTokens(int v) {
            this.maxTokens = v;
            return this;
        }

        public Builder limits(RequestLimits v) {
            this.limits = v;
            return this;
        }

        public TextEncoderBackend build() throws Exception {
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("text-encoder needs a model (--model)");
            }
            if (cacheSize < 1) {
                throw new IllegalArgumentException("cache size must be positive");
            }
            if (maxTokens < 8) {
                throw new IllegalArgumentException("max tokens must be at least 8");
            }
            LogisticHead head = headFile == null ? LogisticHead.defaults()
                    : LogisticHead.read(headFile);
            SentenceEncoder encoder = SentenceEncoder.open(model, pooling, device,
                    intraOpThreads, maxTokens);
            return new TextEncoderBackend(encoder, head, cacheSize, limits);
        }
    }
}
