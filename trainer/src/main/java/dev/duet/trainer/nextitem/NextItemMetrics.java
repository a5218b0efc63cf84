package dev.duet.trainer.nextitem;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HR@1 over the candidate sets (mean and spread over the candidate-sampling seeds) and HR@10 and
 * NDCG@10 ranked over the whole catalog (rows 1..N). Ties are broken at random in expectation: a
 * target tied with k other items at its place gets the mean credit of the k + 1 places it could
 * take. A target without a row (unknown to the model) is a miss.
 */
public final class NextItemMetrics {

    private static final int CHUNK = 1024;
    private static final int TOP = 10;

    /** Figures of one model on one split. */
    public record Figures(double hr1Mean, double hr1Std, double[] hr1PerSeed, double hr10, double ndcg10, int cases) {

        /** The report entry: {@code hr@1 {mean, std, per_seed}, hr@10, ndcg@10, cases}. */
        public Map<String, Object> toReport() {
            Map<String, Object> hr1 = new LinkedHashMap<>();
            hr1.put("mean", hr1Mean);
            hr1.put("std", hr1Std);
            hr1.put("per_seed", Arrays.stream(hr1PerSeed).boxed().toList());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hr@1", hr1);
            m.put("hr@10", hr10);
            m.put("ndcg@10", ndcg10);
            m.put("cases", cases);
            return m;
        }
    }

    private NextItemMetrics() {}

    public static Figures evaluate(NextItemScorer scorer, EncodedCases cases, List<CandidateSets> candidateSets) {
        int n = cases.size();
        double[] hr1 = new double[candidateSets.size()];
        double hr10 = 0;
        double ndcg = 0;
        for (int from = 0; from < n; from += CHUNK) {
            int to = Math.min(n, from + CHUNK);
            float[][] scores = scorer.catalogScores(Arrays.copyOfRange(cases.histories(), from, to));
            for (int i = from; i < to; i++) {
                float[] s = scores[i - from];
                int target = cases.targets()[i];
                if (target == 0) {
                    continue;
                }
                double[] full = catalogCredit(s, target);
                hr10 += full[0];
                ndcg += full[1];
                for (int k = 0; k < candidateSets.size(); k++) {
                    hr1[k] += topOneCredit(s, candidateSets.get(k).candidates()[i]);
                }
            }
        }
        for (int k = 0; k < hr1.length; k++) {
            hr1[k] /= n;
        }
        return new Figures(mean(hr1), std(hr1), hr1, hr10 / n, ndcg / n, n);
    }

    /** 1/(k+1) when the true item (column 0) ties with k others at the top, 0 when beaten. */
    static double topOneCredit(float[] scores, int[] candidates) {
        float t = scores[candidates[0]];
        if (Float.isNaN(t)) {
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

    /** Expected HR@10 and NDCG@10 of the target's place among rows 1..N. */
    static double[] catalogCredit(float[] scores, int target) {
        float t = scores[target];
        if (Float.isNaN(t)) {
            return new double[] {0, 0};
        }
        int greater = 0;
        int ties = 0;
        for (int r = 1; r < scores.length; r++) {
            if (r == target) {
                continue;
            }
            if (scores[r] > t) {
                greater++;
            } else if (scores[r] == t) {
                ties++;
            }
        }
        double hit = 0;
        double gain = 0;
        for (int place = greater; place <= greater + ties && place < TOP; place++) {
            hit += 1;
            gain += 1 / (Math.log(place + 2) / Math.log(2));
        }
        return new double[] {hit / (ties + 1), gain / (ties + 1)};
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (n - 1); 0 for a single value. */
    static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (v.length - 1));
    }
}
