package dev.duet.job.operators;

import dev.duet.core.metrics.BinaryMetrics;
import dev.duet.core.routing.Route;
import dev.duet.job.model.ScoringTask;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.MetricGroup;

/**
 * Live AUC and LogLoss per route from the prequential labels: each scored interaction's label was
 * known before it updated the state, so the job measures itself on a sliding window of the last
 * labelled samples per route (per subtask). Passes tasks through unchanged.
 */
public class PrequentialMetrics extends RichMapFunction<ScoringTask, ScoringTask> {

    private static final long serialVersionUID = 1L;
    private static final long RECOMPUTE_MS = 2000;

    private final int window;

    private transient Map<Route, Window> windows;

    public PrequentialMetrics(int window) {
        if (window < 10) {
            throw new IllegalArgumentException("metrics window must be at least 10");
        }
        this.window = window;
    }

    /** A ring buffer of (label, score) with cached metrics. */
    static final class Window {
        final float[] labels;
        final float[] scores;
        int size;
        int next;
        /**
         * When the cached figures were computed; negative until the first computation. (It once
         * started at Long.MIN_VALUE, so {@code now - computedAt} overflowed to a negative number,
         * below the recompute interval, and the gauges read NaN for ever.)
         */
        long computedAt = -1;
        double auc = Double.NaN;
        double logLoss = Double.NaN;

        Window(int capacity) {
            labels = new float[capacity];
            scores = new float[capacity];
        }

        synchronized void add(float label, float score) {
            labels[next] = label;
            scores[next] = score;
            next = (next + 1) % labels.length;
            size = Math.min(size + 1, labels.length);
        }

        synchronized void refresh() {
            long now = System.currentTimeMillis();
            if (computedAt >= 0 && now - computedAt < RECOMPUTE_MS) {
                return;
            }
            computedAt = now;
            auc = size == 0 ? Double.NaN : BinaryMetrics.auc(labels, scores, size);
            logLoss = size == 0 ? Double.NaN : BinaryMetrics.logLoss(labels, scores, size);
        }

        double auc() {
            refresh();
            return auc;
        }

        double logLoss() {
            refresh();
            return logLoss;
        }
    }

    @Override
    public void open(OpenContext openContext) {
        windows = register(getRuntimeContext().getMetricGroup().addGroup("prequential"), window);
    }

    /** One window per route, its gauges {@code <route>.auc}, {@code .logLoss}, {@code .samples} in {@code group}. */
    static Map<Route, Window> register(MetricGroup group, int window) {
        Map<Route, Window> windows = new EnumMap<>(Route.class);
        for (Route r : Route.values()) {
            Window w = new Window(window);
            windows.put(r, w);
            MetricGroup g = group.addGroup(r.wireName());
            g.gauge("auc", w::auc);
            g.gauge("logLoss", w::logLoss);
            g.gauge("samples", () -> w.size);
        }
        return windows;
    }

    @Override
    public ScoringTask map(ScoringTask task) {
        record(windows, task);
        return task;
    }

    /** Adds a labelled interaction's (label, final score) to its route's window. */
    static void record(Map<Route, Window> windows, ScoringTask task) {
        if (task.isInteraction() && task.label >= 0 && task.finalScores != null && task.finalScores.length == 1) {
            windows.get(Route.valueOf(task.route.toUpperCase(java.util.Locale.ROOT))).add(task.label, task.finalScores[0]);
        }
    }
}
