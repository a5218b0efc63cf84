package dev.duet.worker.internal;

import dev.duet.core.scorer.ScorerBatch;
import dev.duet.core.scorer.ScorerSettings;
import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.worker.InvalidRequestException;
import dev.duet.worker.RequestLimits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns worker requests into the trained scorer's inputs: every item text (title and text, cut and
 * cleaned by {@link ItemText} as for every backend) embedded once by the frozen sentence encoder
 * (cached by text), then one {@link ScorerBatch} row per candidate through the shared
 * {@link ScorerBatch.Builder}. The worker's {@code trained} backend scores with it, and
 * {@code ./duet train-llm} builds its training rows with it, so training sees what serving sees.
 */
public final class ScorerRequestEncoder implements AutoCloseable {

    /** The inputs of some requests and which rows belong to which request. */
    public record Encoded(ScorerBatch batch, int[] firstRow) {}

    private final ScorerSettings settings;
    private final SentenceEncoder encoder;
    private final LruCache<String, float[]> cache;
    private final ItemText itemText;
    private final int maxHistory;

    public ScorerRequestEncoder(ScorerSettings settings, SentenceEncoder encoder, int cacheSize, RequestLimits limits) {
        this.settings = settings;
        this.encoder = encoder;
        this.cache = new LruCache<>(cacheSize);
        this.itemText = new ItemText(limits);
        this.maxHistory = Math.min(limits.maxHistoryItems(), settings.historyLength());
    }

    public ScorerSettings settings() {
        return settings;
    }

    public SentenceEncoder encoder() {
        return encoder;
    }

    /** Rejects behaviour vectors of the wrong width (an empty vector is allowed: zeros). */
    public void validate(ScoreRequest r) throws InvalidRequestException {
        int d = settings.behaviourDim();
        if (r.getUserBehaviourCount() != 0 && r.getUserBehaviourCount() != d) {
            throw new InvalidRequestException(r.getRequestId(), "user_behaviour",
                    "has " + r.getUserBehaviourCount() + " values; the trained scorer expects " + d);
        }
        for (int i = 0; i < r.getCandidatesCount(); i++) {
            int w = r.getCandidates(i).getBehaviourCount();
            if (w != 0 && w != d) {
                throw new InvalidRequestException(r.getRequestId(), "candidates[" + i + "].behaviour",
                        "has " + w + " values; the trained scorer expects " + d);
            }
        }
    }

    /** Embeds what is not cached (one encoder call per chunk) and builds the rows. */
    public Encoded encode(List<ScoreRequest> requests) throws Exception {
        ScorerBatch.Builder batch = new ScorerBatch.Builder(settings);
        Map<String, Integer> index = new HashMap<>();
        List<String> missing = new ArrayList<>();
        List<Integer> missingAt = new ArrayList<>();
        List<float[]> table = new ArrayList<>();
        int[][] historyTexts = new int[requests.size()][];
        int[][] candidateTexts = new int[requests.size()][];
        for (int q = 0; q < requests.size(); q++) {
            ScoreRequest r = requests.get(q);
            int from = Math.max(0, r.getHistoryCount() - maxHistory);
            historyTexts[q] = new int[r.getHistoryCount() - from];
            for (int i = from; i < r.getHistoryCount(); i++) {
                historyTexts[q][i - from] = slot(itemText.full(r.getHistory(i)), index, table, missing, missingAt);
            }
            candidateTexts[q] = new int[r.getCandidatesCount()];
            for (int c = 0; c < r.getCandidatesCount(); c++) {
                candidateTexts[q][c] = slot(itemText.full(r.getCandidates(c)), index, table, missing, missingAt);
            }
        }
        // The encoder pads a call to its longest text: chunks of similar length waste little on
        // padding, and chunking keeps a cold start's memory bounded.
        Integer[] byLength = new Integer[missing.size()];
        for (int i = 0; i < byLength.length; i++) {
            byLength[i] = i;
        }
        java.util.Arrays.sort(byLength, java.util.Comparator.comparingInt(i -> missing.get(i).length()));
        for (int from = 0; from < byLength.length; from += 64) {
            int to = Math.min(byLength.length, from + 64);
            List<String> chunk = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                chunk.add(missing.get(byLength[i]));
            }
            float[][] embedded = encoder.embed(chunk);
            for (int i = from; i < to; i++) {
                int m = byLength[i];
                table.set(missingAt.get(m), embedded[i - from]);
                cache.put(missing.get(m), embedded[i - from]);
            }
        }
        for (float[] e : table) {
            batch.addText(e);
        }
        int[] firstRow = new int[requests.size() + 1];
        int row = 0;
        for (int q = 0; q < requests.size(); q++) {
            ScoreRequest r = requests.get(q);
            firstRow[q] = row;
            int from = Math.max(0, r.getHistoryCount() - maxHistory);
            float[] ratings = new float[r.getHistoryCount() - from];
            for (int i = from; i < r.getHistoryCount(); i++) {
                ratings[i - from] = r.getHistory(i).getRating();
            }
            float[] user = floats(r.getUserBehaviourList());
            for (int c = 0; c < r.getCandidatesCount(); c++) {
                Candidate cand = r.getCandidates(c);
                batch.addRow(candidateTexts[q][c], historyTexts[q], ratings, cand.getCrmProbability(), user,
                        floats(cand.getBehaviourList()));
                row++;
            }
        }
        firstRow[requests.size()] = row;
        return new Encoded(batch.build(), firstRow);
    }

    private int slot(String text, Map<String, Integer> index, List<float[]> table, List<String> missing,
            List<Integer> missingAt) {
        Integer at = index.get(text);
        if (at != null) {
            return at;
        }
        float[] cached = cache.get(text);
        table.add(cached);
        int i = table.size() - 1;
        index.put(text, i);
        if (cached == null) {
            missing.add(text);
            missingAt.add(i);
        }
        return i;
    }

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    /** History items the scorer reads of a request: the last K. */
    public static List<HistoryItem> recent(ScoreRequest r, int k) {
        return r.getHistoryList().subList(Math.max(0, r.getHistoryCount() - k), r.getHistoryCount());
    }

    @Override
    public void close() throws Exception {
        encoder.close();
    }
}
