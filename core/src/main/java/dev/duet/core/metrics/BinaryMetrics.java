package dev.duet.core.metrics;

import java.util.Arrays;

/** AUC, LogLoss, accuracy and entropy of binary predictions. */
public final class BinaryMetrics {

    /** Predictions are clipped to [EPS, 1 - EPS] for LogLoss, as usual in CTR work. */
    public static final double EPS = 1e-7;

    private BinaryMetrics() {}

    /**
     * Area under the ROC curve, ties counted half (Mann-Whitney U with mid-ranks). NaN when only one
     * class is present.
     */
    public static double auc(float[] labels, float[] scores, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double midRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (labels[order[k]] > 0.5f) {
                    rankSumPositive += midRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    public static double auc(float[] labels, float[] scores) {
        return auc(labels, scores, labels.length);
    }

    /** Mean binary cross-entropy in nats. */
    public static double logLoss(float[] labels, float[] scores, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double p = Math.min(1 - EPS, Math.max(EPS, scores[i]));
            sum -= labels[i] > 0.5f ? Math.log(p) : Math.log(1 - p);
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    public static double logLoss(float[] labels, float[] scores) {
        return logLoss(labels, scores, labels.length);
    }

    /** Share of predictions on the right side of 0.5. */
    public static double accuracy(float[] labels, float[] scores, int n) {
        long right = 0;
        for (int i = 0; i < n; i++) {
            if ((scores[i] >= 0.5f) == (labels[i] > 0.5f)) {
                right++;
            }
        }
        return n == 0 ? Double.NaN : (double) right / n;
    }

    public static double accuracy(float[] labels, float[] scores) {
        return accuracy(labels, scores, labels.length);
    }

    /** The entropy H(p) = -p ln p - (1-p) ln(1-p) of a prediction, in nats (max ln 2). */
    public static double entropy(double p) {
        if (p <= 0 || p >= 1) {
            return 0;
        }
        return -p * Math.log(p) - (1 - p) * Math.log(1 - p);
    }
}
