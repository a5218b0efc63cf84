package dev.duet.demo;

import dev.duet.core.metrics.BinaryMetrics;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * The output topic's labelled samples grouped as the job's live metrics group them: per route and
 * per subtask of the user operator's chain (the subtask Flink assigns the user's key to), in the
 * order they were read. From these the demo computes what each subtask's dashboard gauges
 * {@code prequential.<route>.auc} and {@code .logLoss} should read. Thread-safe.
 */
final class SubtaskWindows {

    private final int parallelism;
    private final int maxParallelism;
    private final Map<String, Series> series = new HashMap<>();

    SubtaskWindows(int parallelism, int maxParallelism) {
        this.parallelism = parallelism;
        this.maxParallelism = maxParallelism;
    }

    /** The max parallelism Flink derives for a job that sets none (the job sets none). */
    static int defaultMaxParallelism(int parallelism) {
        return KeyGroupRangeAssignment.computeDefaultMaxParallelism(parallelism);
    }

    /** The subtask that owns {@code user}'s key, as Flink's key-group assignment decides it. */
    int subtaskOf(String user) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(user, maxParallelism, parallelism);
    }

    int maxParallelism() {
        return maxParallelism;
    }

    int parallelism() {
        return parallelism;
    }

    synchronized void add(String route, String user, float label, float score) {
        Series s = series.computeIfAbsent(route + "/" + subtaskOf(user), k -> new Series());
        if (s.size == s.labels.length) {
            s.labels = Arrays.copyOf(s.labels, Math.max(64, 2 * s.size));
            s.scores = Arrays.copyOf(s.scores, Math.max(64, 2 * s.size));
        }
        s.labels[s.size] = label;
        s.scores[s.size++] = score;
    }

    /** Samples, AUC and LogLoss of one route on one subtask (NaN without samples). */
    synchronized Figures figures(String route, int subtask) {
        Series s = series.getOrDefault(route + "/" + subtask, new Series());
        return s.size == 0 ? new Figures(0, Double.NaN, Double.NaN)
                : new Figures(s.size, BinaryMetrics.auc(s.labels, s.scores, s.size), BinaryMetrics.logLoss(s.labels, s.scores, s.size));
    }

    record Figures(int samples, double auc, double logLoss) {}

    private static final class Series {
        int size;
        float[] labels = new float[0];
        float[] scores = new float[0];
    }
}
