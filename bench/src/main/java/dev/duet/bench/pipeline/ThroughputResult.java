package dev.duet.bench.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One throughput phase: a backlog of {@code eventsIn} inputs written before the job started,
 * drained by a bounded job with checkpoints running.
 *
 * @param warmUp an unmeasured first drain (JIT warm-up, sizes the measured backlog)
 * @param eventsIn inputs the broker acknowledged
 * @param eventsOut output records read back (read_committed)
 * @param lost inputs without an output
 * @param duplicates outputs beyond the first for an input
 * @param unknown outputs naming no input of the phase
 * @param deadLetters dead letters (none expected: the benchmark writes no malformed records)
 * @param fillSeconds time to write the backlog
 * @param jobSeconds job submission to the job's end (start-up and the final checkpoint included)
 * @param drainSeconds first to last output (broker append times)
 * @param drainRate outputs per second over the whole drain
 * @param sustainedRate outputs per second between the 10th and the 90th percentile of the output
 *     append times: the drain without its first and last tenth (JIT warm-up, last stragglers)
 * @param tailRate outputs per second between the 70th and 95th percentile (the warmest part)
 * @param perSecond outputs per second of the drain, second by second
 * @param routes outputs per route
 * @param profile the profile of the drain
 * @param loadBefore the machine's 1-minute load average when the phase started
 * @param loadAfter and when it ended
 */
record ThroughputResult(
        boolean warmUp,
        long eventsIn,
        long eventsOut,
        long lost,
        long duplicates,
        long unknown,
        long deadLetters,
        double fillSeconds,
        double jobSeconds,
        double drainSeconds,
        double drainRate,
        double sustainedRate,
        double tailRate,
        long[] perSecond,
        Map<String, Long> routes,
        Profile profile,
        double loadBefore,
        double loadAfter) {

    boolean accounted() {
        return eventsIn > 0 && eventsOut == eventsIn && lost == 0 && duplicates == 0 && unknown == 0;
    }

    /**
     * CPU of the whole JVM (broker, job, clients) per output during the profiled drain, in
     * microseconds; NaN without a profile.
     */
    double cpuMicrosPerEvent() {
        return profile == null || eventsOut == 0 ? Double.NaN
                : profile.processCores() * profile.seconds() * 1e6 / eventsOut;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("warm_up", warmUp);
        m.put("events_in", eventsIn);
        m.put("events_out", eventsOut);
        m.put("lost", lost);
        m.put("duplicates", duplicates);
        m.put("unknown_outputs", unknown);
        m.put("dead_letters", deadLetters);
        m.put("every_input_accounted_for", accounted());
        m.put("backlog_write_seconds", fillSeconds);
        m.put("job_seconds", jobSeconds);
        m.put("drain_seconds", drainSeconds);
        m.put("drain_events_per_s", Report.num(drainRate));
        m.put("sustained_events_per_s", Report.num(sustainedRate));
        m.put("events_per_s_70th_to_95th_percentile", Report.num(tailRate));
        m.put("jvm_cpu_us_per_event", Report.num(cpuMicrosPerEvent()));
        m.put("routes", routes);
        m.put("load_average", List.of(loadBefore, loadAfter));
        m.put("outputs_per_second", perSecond);
        m.put("profile", profile == null ? null : profile.toMap());
        return m;
    }
}
