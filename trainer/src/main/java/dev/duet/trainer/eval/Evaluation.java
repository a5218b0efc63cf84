package dev.duet.trainer.eval;

import dev.duet.core.metrics.BinaryMetrics;
import dev.duet.core.metrics.EntropyDeciles;
import dev.duet.core.metrics.Segments;
import dev.duet.core.samples.Sample;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The protocol's evaluation of several models on one split: AUC, LogLoss and accuracy overall, on
 * cold users and long-tail items, and per entropy decile of the main model.
 */
public final class Evaluation {

    /** Quality of one model on one set of samples. */
    public record Quality(int count, double auc, double logLoss, double accuracy) {}

    private final List<Sample> samples;
    private final float[] labels;
    private final Segments segments;
    private final Map<String, float[]> predictions = new LinkedHashMap<>();

    public Evaluation(List<Sample> samples, float[] labels, Segments segments) {
        if (samples.size() != labels.length) {
            throw new IllegalArgumentException("samples and labels differ in length");
        }
        this.samples = samples;
        this.labels = labels;
        this.segments = segments;
    }

    /** Adds a model's predictions for the samples, in sample order. */
    public Evaluation add(String model, float[] scores) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException(model + ": " + scores.length + " predictions for " + labels.length + " samples");
        }
        predictions.put(model, scores);
        return this;
    }

    public Map<String, float[]> predictions() {
        return predictions;
    }

    public Quality overall(String model) {
        return on(model, s -> true);
    }

    public Quality coldUsers(String model) {
        return on(model, segments::isColdUser);
    }

    public Quality coldUsersStrict(String model) {
        return on(model, segments::isColdUserStrict);
    }

    public Quality longTailItems(String model) {
        return on(model, s -> segments.isLongTailItem(s.itemId()));
    }

    /** The model's quality on the samples that satisfy {@code filter}. */
    public Quality on(String model, Predicate<Sample> filter) {
        float[] scores = predictions.get(model);
        int n = 0;
        for (Sample s : samples) {
            n += filter.test(s) ? 1 : 0;
        }
        float[] l = new float[n];
        float[] p = new float[n];
        int k = 0;
        for (int i = 0; i < samples.size(); i++) {
            if (filter.test(samples.get(i))) {
                l[k] = labels[i];
                p[k] = scores[i];
                k++;
            }
        }
        return new Quality(n, BinaryMetrics.auc(l, p), BinaryMetrics.logLoss(l, p, n), BinaryMetrics.accuracy(l, p, n));
    }

    /** Deciles of {@code model}'s own entropy with its quality. */
    public List<EntropyDeciles.Decile> entropyDeciles(String model) {
        return EntropyDeciles.compute(labels, predictions.get(model));
    }

    public float[] labels() {
        return labels;
    }
}
