package dev.duet.bench.pipeline;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Quantiles of a set of latencies in milliseconds (nearest rank). NaN throughout when empty.
 *
 * @param count how many values
 */
record LatencyStats(long count, double mean, double p50, double p90, double p99, double p999, double max) {

    static LatencyStats of(long[] values) {
        if (values.length == 0) {
            return new LatencyStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        long[] v = values.clone();
        Arrays.sort(v);
        double sum = 0;
        for (long x : v) {
            sum += x;
        }
        return new LatencyStats(v.length, sum / v.length, rank(v, 0.5), rank(v, 0.9), rank(v, 0.99), rank(v, 0.999),
                v[v.length - 1]);
    }

    private static double rank(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("mean", Report.num(mean));
        m.put("p50", Report.num(p50));
        m.put("p90", Report.num(p90));
        m.put("p99", Report.num(p99));
        m.put("p99_9", Report.num(p999));
        m.put("max", Report.num(max));
        return m;
    }
}
