package dev.duet.trainer.rl;

import dev.duet.trainer.nextitem.CandidateSets;
import dev.duet.trainer.nextitem.EncodedCases;
import dev.duet.trainer.nextitem.NextItemScorer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PROTOCOL.md section 3's metrics: HR@k and NDCG@k for k in {5, 10, 20} ranked over the whole
 * catalog (rows 1..N), and section 2's HR@1 on the candidate sets (mean over the candidate seeds).
 * Ties get the expected credit of the places the target could take (as {@code NextItemMetrics});
 * a target unknown to the model is a miss.
 */
public final class RlMetrics {

    static final int[] CUTOFFS = {5, 10, 20};
    private static final int CHUNK = 1024;

    /** One model's figures on one split: {@code hr@5 .. ndcg@20} and HR@1 per candidate seed. */
    public record Figures(double[] hr, double[] ndcg, double[] hr1PerSeed, int cases) {

        public double ndcg10() {
            return ndcg[1];
        }

        public double hr1Mean() {
            return Arrays.stream(hr1PerSeed).average().orElse(Double.NaN);
        }

        /** Flat map {@code hr@5 .. ndcg@20, hr@1} (the last the mean over candidate seeds). */
        public Map<String, Double> values() {
            Map<String, Double> m = new LinkedHashMap<>();
            for (int c = 0; c < CUTOFFS.length; c++) {
                m.put("hr@" + CUTOFFS[c], hr[c]);
            }
            for (int c = 0; c < CUTOFFS.length; c++) {
                m.put("ndcg@" + CUTOFFS[c], ndcg[c]);
            }
            m.put("hr@1", hr1Mean());
            return m;
        }
    }

    private RlMetrics() {}

    public static Figures evaluate(NextItemScorer scorer, EncodedCases cases, List<CandidateSets> candidateSets) {
        int n = cases.size();
        double[] hr = new double[CUTOFFS.length];
        double[] ndcg = new double[CUTOFFS.length];
        double[] hr1 = new double[candidateSets.size()];
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            float[][] scores = scorer.catalogScores(Arrays.copyOfRange(cases.histories(), from, to));
            for (int i = from; i < to; i++) {
                int target = cases.targets()[i];
                if (target == 0) {
                    continue;
                }
                float[] s = scores[i - from];
                credit(s, target, hr, ndcg);
                for (int k = 0; k < candidateSets.size(); k++) {
                    hr1[k] += topOne(s, candidateSets.get(k).candidates()[i]);
                }
            }
        }
        for (int c = 0; c < CUTOFFS.length; c++) {
            hr[c] /= n;
            ndcg[c] /= n;
        }
        for (int k = 0; k < hr1.length; k++) {
            hr1[k] /= n;
        }
        return new Figures(hr, ndcg, hr1, n);
    }

    /** Adds the target's expected HR@k and NDCG@k (ties shared) to the sums. */
    static void credit(float[] scores, int target, double[] hr, double[] ndcg) {
        float t = scores[target];
        if (Float.isNaN(t)) {
            return;
        }
        int greater = 0;
        int ties = 0;
        for (int r = 1; r < scores.length; r++) {
            if (r == target) {
                continue;
            }
            if (scores[r] > t || Float.isNaN(scores[r])) {
                greater++;
            } else if (scores[r] == t) {
                ties++;
            }
        }
        for (int c = 0; c < CUTOFFS.length; c++) {
            double hit = 0;
            double gain = 0;
            for (int place = greater; place <= greater + ties && place < CUTOFFS[c]; place++) {
                hit += 1;
                gain += 1 / (Math.log(place + 2) / Math.log(2));
            }
            hr[c] += hit / (ties + 1);
            ndcg[c] += gain / (ties + 1);
        }
    }

    static double topOne(float[] scores, int[] candidates) {
        float t = scores[candidates[0]];
        if (candidates[0] == 0 || Float.isNaN(t)) {
            return 0;
        }
        int ties = 0;
        for (int k = 1; k < candidates.length; k++) {
            float c = scores[candidates[k]];
            if (c > t || Float.isNaN(c)) {
                return 0;
            }
            if (c == t) {
                ties++;
            }
        }
        return 1.0 / (ties + 1);
    }
}
