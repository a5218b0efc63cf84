package dev.duet.bench.pipeline;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One latency phase: a fresh job fed at a steady rate; figures over the inputs written after the
 * warm-up.
 *
 * @param rateAsked input rate asked for, events per second
 * @param rateAchieved inputs acknowledged per second of writing
 * @param eventsIn inputs the broker acknowledged (warm-up included)
 * @param eventsOut outputs read back (read_committed)
 * @param lost inputs without an output
 * @param duplicates outputs beyond the first for an input
 * @param unknown outputs naming no input of the phase
 * @param processing output append time minus input append time (both broker clocks): Kafka to
 *     job to Kafka, what the job adds
 * @param visible receipt by a read_committed consumer minus input append time: processing plus the
 *     wait for the checkpoint that commits the output transaction
 * @param inJob the output's {@code latency_ms}: parse to serialisation inside the job
 * @param processingByRoute processing latency per route
 * @param routes measured outputs per route
 * @param p99PerSecond processing-latency p99 of the inputs appended in each second of the measured
 *     window, in order (periodic spikes are checkpoints; a rising line is a queue)
 * @param profile the profile of the measured window
 * @param checkpoints what the window's checkpoints cost each task (null when the REST API did not answer)
 * @param loadBefore the machine's 1-minute load average when the phase started
 * @param loadAfter and when it ended
 */
record LatencyResult(
        double rateAsked,
        double rateAchieved,
        long eventsIn,
        long eventsOut,
        long lost,
        long duplicates,
        long unknown,
        LatencyStats processing,
        LatencyStats visible,
        LatencyStats inJob,
        Map<String, LatencyStats> processingByRoute,
        Map<String, Long> routes,
        double[] p99PerSecond,
        Profile profile,
        CheckpointStats checkpoints,
        double loadBefore,
        double loadAfter) {

    boolean accounted() {
        return eventsIn > 0 && eventsOut == eventsIn && lost == 0 && duplicates == 0 && unknown == 0;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rate_asked", rateAsked);
        m.put("rate_achieved", Report.num(rateAchieved));
        m.put("events_in", eventsIn);
        m.put("events_out", eventsOut);
        m.put("lost", lost);
        m.put("duplicates", duplicates);
        m.put("unknown_outputs", unknown);
        m.put("every_input_accounted_for", accounted());
        m.put("processing_ms", processing.toMap());
        m.put("visible_ms", visible.toMap());
        m.put("in_job_ms", inJob.toMap());
        Map<String, Object> byRoute = new LinkedHashMap<>();
        processingByRoute.forEach((route, stats) -> byRoute.put(route, stats.toMap()));
        m.put("processing_ms_by_route", byRoute);
        m.put("routes", routes);
        m.put("processing_p99_ms_per_second", Arrays.stream(p99PerSecond).boxed().toList());
        m.put("load_average", List.of(loadBefore, loadAfter));
        m.put("profile", profile == null ? null : profile.toMap());
        m.put("checkpoints", checkpoints == null ? null : checkpoints.toMap());
        return m;
    }
}
