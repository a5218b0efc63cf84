package dev.duet.bench.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything measured for one configuration.
 *
 * @param config the configuration
 * @param attempts throughput phases run: the unmeasured warm-up drain (unless turned off), the measured
 *     drain, and a second measured drain when the first backlog drained too fast
 * @param halfRate the latency phase at half the measured throughput
 * @param fixedRate configuration c only: the latency phase at the fixed rate of the CRM-route
 *     target; null when not run
 * @param error why the configuration could not be measured to the end, or null
 */
record ConfigResult(JobConfig config, List<ThroughputResult> attempts, LatencyResult halfRate, LatencyResult fixedRate,
        String error) {

    ConfigResult {
        attempts = List.copyOf(attempts);
    }

    /** The throughput phase the figures come from: the last measured one; null when none finished. */
    ThroughputResult throughput() {
        for (int i = attempts.size() - 1; i >= 0; i--) {
            if (!attempts.get(i).warmUp()) {
                return attempts.get(i);
            }
        }
        return null;
    }

    double sustainedRate() {
        ThroughputResult t = throughput();
        return t == null ? Double.NaN : t.sustainedRate();
    }

    /** Whether every phase run accounted for every input exactly once. */
    boolean accounted() {
        boolean ok = !attempts.isEmpty();
        for (ThroughputResult t : attempts) {
            ok &= t.accounted();
        }
        ok &= halfRate == null || halfRate.accounted();
        ok &= fixedRate == null || fixedRate.accounted();
        return ok;
    }

    Map<String, Object> toMap(ConfigResult baseline) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", config.key);
        m.put("description", config.description);
        m.put("error", error);
        m.put("every_input_accounted_for", error == null && accounted());
        ThroughputResult t = throughput();
        m.put("sustained_events_per_s", t == null ? null : Report.num(t.sustainedRate()));
        m.put("latency_p50_ms", halfRate == null ? null : Report.num(halfRate.processing().p50()));
        m.put("latency_p99_ms", halfRate == null ? null : Report.num(halfRate.processing().p99()));
        if (baseline != null) {
            Map<String, Object> ratio = new LinkedHashMap<>();
            ratio.put("throughput", Report.num(ratio(sustainedRate(), baseline.sustainedRate())));
            ratio.put("latency_p50", halfRate == null || baseline.halfRate == null ? null
                    : Report.num(ratio(halfRate.processing().p50(), baseline.halfRate.processing().p50())));
            ratio.put("latency_p99", halfRate == null || baseline.halfRate == null ? null
                    : Report.num(ratio(halfRate.processing().p99(), baseline.halfRate.processing().p99())));
            m.put("ratio_to_a", ratio);
        }
        List<Object> throughputs = new ArrayList<>();
        attempts.forEach(a -> throughputs.add(a.toMap()));
        m.put("throughput_phases", throughputs);
        m.put("latency_at_half_rate", halfRate == null ? null : halfRate.toMap());
        m.put("latency_at_fixed_rate", fixedRate == null ? null : fixedRate.toMap());
        return m;
    }

    static double ratio(double a, double b) {
        return b > 0 && Double.isFinite(a) && Double.isFinite(b) ? a / b : Double.NaN;
    }
}
