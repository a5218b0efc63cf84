package dev.duet.demo;

import dev.duet.core.metrics.BinaryMetrics;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the output says, per route (crm, llm, fallback): counts, the job's latency (ingest to
 * output), and for interactions the prequential label beside the score the job gave before it saw
 * the label, from which the live AUC comes. Thread-safe (one writer, readers take snapshots).
 */
final class LiveStats {

    static final String[] ROUTES = {"crm", "llm", "fallback"};

    private final Map<String, Series> byRoute = new LinkedHashMap<>();
    private final Map<String, Integer> fallbackReasons = new TreeMap<>();
    private long firstOutputMs = -1;
    private long lastOutputMs = -1;

    LiveStats() {
        for (String r : ROUTES) {
            byRoute.put(r, new Series());
        }
    }

    /** One recommendation record: its route, latency, and label/score for interactions (label < 0: none). */
    synchronized void add(String route, long latencyMs, int label, float score, float crmScore, String fallbackReason,
            long nowMs) {
        Series s = byRoute.computeIfAbsent(route, r -> new Series());
        s.latencies = grow(s.latencies, s.count);
        s.latencies[s.count++] = latencyMs;
        if (label >= 0) {
            s.labels = grow(s.labels, s.labelled);
            s.scores = grow(s.scores, s.labelled);
            s.crmScores = grow(s.crmScores, s.labelled);
            s.crmScores[s.labelled] = crmScore;
            s.labels[s.labelled] = label;
            s.scores[s.labelled++] = score;
        }
        if (fallbackReason != null) {
            fallbackReasons.merge(shorten(fallbackReason), 1, Integer::sum);
        }
        if (firstOutputMs < 0) {
            firstOutputMs = nowMs;
        }
        lastOutputMs = nowMs;
    }

    synchronized Snapshot snapshot() {
        Map<String, RouteFigures> routes = new LinkedHashMap<>();
        int total = 0;
        int labelledTotal = 0;
        for (Series s : byRoute.values()) {
            total += s.count;
            labelledTotal += s.labelled;
        }
        long[] allLatencies = new long[total];
        float[] allLabels = new float[labelledTotal];
        float[] allScores = new float[labelledTotal];
        int at = 0;
        int lat = 0;
        for (Map.Entry<String, Series> e : byRoute.entrySet()) {
            Series s = e.getValue();
            long[] latencies = Arrays.copyOf(s.latencies, s.count);
            System.arraycopy(latencies, 0, allLatencies, lat, s.count);
            lat += s.count;
            System.arraycopy(s.labels, 0, allLabels, at, s.labelled);
            System.arraycopy(s.scores, 0, allScores, at, s.labelled);
            at += s.labelled;
            routes.put(e.getKey(), new RouteFigures(s.count, s.labelled, auc(s.labels, s.scores, s.labelled),
                    auc(s.labels, s.crmScores, s.labelled), latencies));
        }
        RouteFigures overall = new RouteFigures(total, labelledTotal, auc(allLabels, allScores, labelledTotal), Double.NaN,
                allLatencies);
        return new Snapshot(overall, routes, new TreeMap<>(fallbackReasons), firstOutputMs, lastOutputMs);
    }

    private static double auc(float[] labels, float[] scores, int n) {
        return n == 0 ? Double.NaN : BinaryMetrics.auc(Arrays.copyOf(labels, n), Arrays.copyOf(scores, n));
    }

    private static String shorten(String reason) {
        return reason.length() > 80 ? reason.substring(0, 80) + "..." : reason;
    }

    private static long[] grow(long[] a, int size) {
        return size < a.length ? a : Arrays.copyOf(a, Math.max(64, a.length * 2));
    }

    private static float[] grow(float[] a, int size) {
        return size < a.length ? a : Arrays.copyOf(a, Math.max(64, a.length * 2));
    }

    private static final class Series {
        int count;
        int labelled;
        long[] latencies = new long[0];
        float[] labels = new float[0];
        float[] scores = new float[0];
        float[] crmScores = new float[0];
    }

    /**
     * Figures of one route (or of all). {@code crmAuc} is the CRM's own AUC on the same labelled
     * samples (its score is in every record), so the LLM's answers on the hard samples can be
     * compared with what the CRM alone would have given them. Latencies are unsorted copies.
     */
    record RouteFigures(int count, int labelled, double auc, double crmAuc, long[] latencies) {

        /** The q-quantile (0..1) of the latencies, nearest rank; NaN when there are none. */
        double latencyQuantile(double q) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(q * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        }
    }

    /** All figures at one moment. */
    record Snapshot(RouteFigures overall, Map<String, RouteFigures> routes, Map<String, Integer> fallbackReasons,
            long firstOutputMs, long lastOutputMs) {

        int routed() {
            return routes.get("llm").count() + routes.get("fallback").count();
        }

        double routedShare() {
            return overall.count() == 0 ? 0 : routed() / (double) overall.count();
        }
    }
}
