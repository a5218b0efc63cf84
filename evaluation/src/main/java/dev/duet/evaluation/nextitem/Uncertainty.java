package dev.duet.evaluation.nextitem;

/**
 * How unsure the sequence model is about one case, from the softmax of its scores over the case's
 * candidates (candidates it does not know, scored minus infinity, get probability 0). Both measures
 * lie in [0, 1], higher is less sure; the evaluation picks one on validation.
 */
public enum Uncertainty {

    /** Entropy of the softmax divided by log(candidates): 1 when uniform, 0 when certain. */
    ENTROPY("entropy"),
    /** 1 - (p1 - p2), the gap between the two most probable candidates: 1 when they tie. */
    MARGIN("margin");

    private final String key;

    Uncertainty(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** The measure of one case's candidate scores. */
    public double of(float[] scores) {
        double[] p = softmax(scores);
        if (this == ENTROPY) {
            double h = 0;
            for (double v : p) {
                if (v > 0) {
                    h -= v * Math.log(v);
                }
            }
            return p.length < 2 ? 0 : h / Math.log(p.length);
        }
        double first = 0;
        double second = 0;
        for (double v : p) {
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second) {
                second = v;
            }
        }
        return 1 - (first - second);
    }

    /** The softmax of scores (stable; minus infinity gives 0; all unknown gives uniform). */
    public static double[] softmax(float[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (float s : scores) {
            max = Math.max(max, s);
        }
        double[] p = new double[scores.length];
        if (max == Double.NEGATIVE_INFINITY || Double.isNaN(max)) {
            java.util.Arrays.fill(p, 1.0 / scores.length);
            return p;
        }
        double z = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Float.isNaN(scores[i]) ? 0 : Math.exp(scores[i] - max);
            z += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= z;
        }
        return p;
    }

    /**
     * HR@1 credit of the candidate at {@code target}: 1/(k+1) when it ties with k others at the
     * top, 0 when another candidate beats it (as the trainer's next-item metrics count ties).
     */
    public static double topOneCredit(float[] scores, int target) {
        float t = scores[target];
        if (Float.isNaN(t) || t == Float.NEGATIVE_INFINITY) {
            return 0;
        }
        int ties = 0;
        for (int k = 0; k < scores.length; k++) {
            if (k == target) {
                continue;
            }
            if (scores[k] > t || Float.isNaN(scores[k])) {
                return 0;
            }
            if (scores[k] == t) {
                ties++;
            }
        }
        return 1.0 / (ties + 1);
    }
}
