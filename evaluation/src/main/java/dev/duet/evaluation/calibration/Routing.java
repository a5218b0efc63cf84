package dev.duet.evaluation.calibration;

import dev.duet.core.routing.EntropyRule;
import dev.duet.core.routing.SelectiveGate;
import java.util.Arrays;

/**
 * The two routing rules offline, with the job's semantics: a hardness score per sample, a
 * threshold (the validation quantile of the budget) and a hard cap of {@code share * n} routed
 * samples, the bound the job's token bucket enforces.
 *
 * <ul>
 *   <li>entropy (CoReLLa): hardness = the CRM's normalised entropy;
 *   <li>entropy + gate (as the job's {@code Router}): samples below the entropy floor are never
 *       routed, the others are ranked by the selective gate's score.
 * </ul>
 */
public final class Routing {

    private Routing() {}

    public static double[] entropyScores(float[] probability) {
        double[] s = new double[probability.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = SelectiveGate.uncertainty(probability[i]);
        }
        return s;
    }

    public static double[] gateScores(SelectiveGate gate, double minEntropy, int[] historyLength,
            double[] popularity, float[] probability) {
        EntropyRule floor = new EntropyRule(minEntropy);
        double[] s = new double[probability.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = floor.isHard(probability[i]) ? gate.score(historyLength[i], popularity[i], probability[i]) : 0;
        }
        return s;
    }

    /**
     * The score of the {@code ceil(share * n)}-th hardest sample: routing at or above it takes the
     * budget. Zero scores (below the floor) are never routable, so the threshold stays positive.
     */
    public static double threshold(double[] scores, double share) {
        if (scores.length == 0) {
            return 1;
        }
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        int k = Math.max(1, (int) Math.ceil(share * sorted.length));
        double t = sorted[sorted.length - Math.min(k, sorted.length)];
        return Math.max(t, Double.MIN_VALUE);
    }

    /** Which samples go to the LLM: score at or above the threshold, at most share * n, hardest first. */
    public static boolean[] route(double[] scores, double threshold, double share) {
        int n = scores.length;
        int cap = (int) Math.floor(share * n + 1e-9);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        boolean[] routed = new boolean[n];
        for (int k = 0; k < Math.min(cap, n); k++) {
            int i = order[k];
            if (scores[i] < threshold || scores[i] <= 0) {
                break;
            }
            routed[i] = true;
        }
        return routed;
    }

    public static int count(boolean[] mask) {
        int c = 0;
        for (boolean b : mask) {
            c += b ? 1 : 0;
        }
        return c;
    }
}
