package dev.duet.core.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Quality of a model per decile of its own prediction entropy (CoReLLa's analysis): the samples
 * are sorted by entropy and cut into ten groups of (nearly) equal size.
 */
public final class EntropyDeciles {

    /** One decile: its entropy range, size and the model's quality inside it. */
    public record Decile(int decile, double entropyLo, double entropyHi, int count, double auc, double accuracy, double logLoss) {}

    private EntropyDeciles() {}

    /** Deciles of {@code predictions}' entropy with the quality of the same predictions. */
    public static List<Decile> compute(float[] labels, float[] predictions) {
        return compute(labels, predictions, predictions, 10);
    }

    /**
     * Groups samples by the entropy of {@code router} (the model whose uncertainty decides) and
     * measures {@code evaluated} in each group; with the same array this is the classic analysis.
     */
    public static List<Decile> compute(float[] labels, float[] router, float[] evaluated, int groups) {
        int n = labels.length;
        double[] entropy = new double[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            entropy[i] = BinaryMetrics.entropy(router[i]);
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(entropy[a], entropy[b]));
        List<Decile> deciles = new ArrayList<>();
        for (int d = 0; d < groups; d++) {
            int from = (int) ((long) n * d / groups);
            int to = (int) ((long) n * (d + 1) / groups);
            int size = to - from;
            if (size == 0) {
                continue;
            }
            float[] l = new float[size];
            float[] p = new float[size];
            for (int k = 0; k < size; k++) {
                l[k] = labels[order[from + k]];
                p[k] = evaluated[order[from + k]];
            }
            deciles.add(
                    new Decile(
                            d + 1,
                            entropy[order[from]],
                            entropy[order[to - 1]],
                            size,
                            BinaryMetrics.auc(l, p),
                            BinaryMetrics.accuracy(l, p, size),
                            BinaryMetrics.logLoss(l, p, size)));
        }
        return deciles;
    }
}
