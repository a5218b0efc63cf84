package dev.duet.bench.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.duet.trainer.report.Charts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a finished benchmark's {@code bench-pipeline.json}, {@code bench-pipeline.md} and charts
 * ({@code pipeline-throughput.png}, {@code pipeline-latency.png}) into the output folder.
 */
final class Report {

    static final String JSON_FILE = "bench-pipeline.json";
    static final String MARKDOWN_FILE = "bench-pipeline.md";
    static final String THROUGHPUT_CHART = "pipeline-throughput.png";
    static final String LATENCY_CHART = "pipeline-latency.png";
    static final String TIMELINE_CHART = "pipeline-latency-timeline.png";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int PROFILE_ROWS = 10;

    private Report() {}

    static void write(Path dir, PipelineBenchResult result) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(JSON_FILE), JSON.writeValueAsString(result.toMap()) + "\n");
        Files.writeString(dir.resolve(MARKDOWN_FILE), markdown(result));
        charts(dir, result);
    }

    /** A number for JSON: null instead of NaN or infinity, rounded to 3 decimals. */
    static Double num(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : null;
    }

    private static void charts(Path dir, PipelineBenchResult r) throws IOException {
        List<String> names = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> visibleP50 = new ArrayList<>();
        for (ConfigResult c : r.configs()) {
            names.add("(" + c.config().key + ") " + shortName(c.config()));
            rates.add(zeroIfNaN(c.sustainedRate()));
            LatencyResult l = c.halfRate();
            p50.add(l == null ? 0 : zeroIfNaN(l.processing().p50()));
            p99.add(l == null ? 0 : zeroIfNaN(l.processing().p99()));
            visibleP50.add(l == null ? 0 : zeroIfNaN(l.visible().p50()));
        }
        Map<String, List<Double>> throughput = new LinkedHashMap<>();
        throughput.put("sustained events/s (backlog drain)", rates);
        Charts.bars(dir.resolve(THROUGHPUT_CHART), "Kafka -> job -> Kafka throughput, parallelism " + r.settings().parallelism,
                "configuration", "events per second", names, throughput);
        Map<String, List<Double>> latency = new LinkedHashMap<>();
        latency.put("processing p50", p50);
        latency.put("processing p99", p99);
        latency.put("visible (read_committed) p50", visibleP50);
        Charts.bars(dir.resolve(LATENCY_CHART), "End-to-end latency at half the sustained rate", "configuration",
                "milliseconds", names, latency);
        timeline(dir, r);
    }

    /** Processing-latency p99 per second of every latency phase: checkpoint spikes against queues. */
    private static void timeline(Path dir, PipelineBenchResult r) throws IOException {
        Map<String, double[]> series = new LinkedHashMap<>();
        int shortest = Integer.MAX_VALUE;
        for (ConfigResult c : r.configs()) {
            for (LatencyResult l : new LatencyResult[] {c.halfRate(), c.fixedRate()}) {
                if (l != null && l.p99PerSecond().length > 0) {
                    series.put(String.format(Locale.ROOT, "(%s) at %,.0f/s", c.config().key, l.rateAsked()), l.p99PerSecond());
                    shortest = Math.min(shortest, l.p99PerSecond().length);
                }
            }
        }
        if (series.isEmpty()) {
            return;
        }
        // Every phase measures the same window; a phase's last second may be missing or partial.
        double[] x = new double[shortest];
        for (int i = 0; i < shortest; i++) {
            x[i] = i;
        }
        Map<String, double[]> trimmed = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            trimmed.put(e.getKey(), Arrays.copyOf(e.getValue(), shortest));
        }
        Charts.lines(dir.resolve(TIMELINE_CHART), "Processing latency p99 per second (checkpoints every "
                        + r.settings().checkpointInterval.toMillis() + " ms)", "second of the measured window", "milliseconds", x,
                trimmed);
    }

    private static double zeroIfNaN(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    private static String shortName(JobConfig c) {
        return switch (c) {
            case PASS_THROUGH -> "pass-through";
            case CRM -> "state + CRM";
            case FULL -> "full (LLM)";
        };
    }

    /** The table printed at the end of a run and at the top of the Markdown report. */
    static String summary(PipelineBenchResult r) {
        StringBuilder s = new StringBuilder();
        ConfigResult a = r.config(JobConfig.PASS_THROUGH);
        s.append("| configuration | sustained events/s | x (a) | latency at half rate: processing p50 / p99 ms | x (a) p50 / p99"
                + " | visible p50 / p99 ms | in = out |\n");
        s.append("|---|---|---|---|---|---|---|\n");
        for (ConfigResult c : r.configs()) {
            LatencyResult l = c.halfRate();
            LatencyResult base = a == null ? null : a.halfRate();
            s.append(String.format(Locale.ROOT, "| (%s) %s | %s | %s | %s | %s | %s | %s |%n", c.config().key, shortName(c.config()),
                    fmt0(c.sustainedRate()), a == null ? "-" : fmt2(ConfigResult.ratio(c.sustainedRate(), a.sustainedRate())),
                    l == null ? "-" : fmt0(l.processing().p50()) + " / " + fmt0(l.processing().p99()),
                    l == null || base == null ? "-" : fmt2(ConfigResult.ratio(l.processing().p50(), base.processing().p50())) + " / "
                            + fmt2(ConfigResult.ratio(l.processing().p99(), base.processing().p99())),
                    l == null ? "-" : fmt0(l.visible().p50()) + " / " + fmt0(l.visible().p99()),
                    c.error() != null ? "failed: " + c.error() : c.accounted() ? "yes" : "NO"));
        }
        ConfigResult c = r.config(JobConfig.FULL);
        if (c != null && c.fixedRate() != null) {
            LatencyResult f = c.fixedRate();
            s.append(String.format(Locale.ROOT, "%n(c) at %,.0f events/s (achieved %,.0f): processing p50 %s / p99 %s ms;",
                    f.rateAsked(), f.rateAchieved(), fmt0(f.processing().p50()), fmt0(f.processing().p99())));
            f.processingByRoute().forEach((route, st) -> s.append(String.format(Locale.ROOT, " route %s p50 %s / p99 %s ms (%,d);",
                    route, fmt0(st.p50()), fmt0(st.p99()), st.count())));
            s.append(String.format(Locale.ROOT, " visible p50 %s / p99 %s ms%n", fmt0(f.visible().p50()), fmt0(f.visible().p99())));
        }
        s.append('\n');
        for (Map<String, Object> t : r.targets()) {
            Object met = t.get("met");
            s.append("- ").append(t.get("target")).append(": ").append(t.get("measured") == null ? "not measured" : t.get("measured"))
                    .append(' ').append(t.get("unit")).append(" -> ")
                    .append(met == null ? "not measured" : (Boolean) met ? "met" : "NOT met").append('\n');
        }
        return s.toString();
    }

    private static String markdown(PipelineBenchResult r) {
        StringBuilder s = new StringBuilder();
        s.append("# Pipeline benchmark: Kafka -> job -> Kafka\n\n");
        s.append(r.ok() ? "Every input of every phase gave exactly one output.\n\n"
                : "**Problems:** " + String.join("; ", r.problems()) + "\n\n");
        s.append("| | |\n|---|---|\n");
        row(s, "command", "`" + r.settings().command + "`");
        row(s, "started", r.started());
        row(s, "machine", String.valueOf(r.machine().get("description")));
        row(s, "load average (1 min) during the run", String.format(Locale.ROOT, "%.2f to %.2f", r.loadMin(), r.loadMax()));
        row(s, "parallelism", Integer.toString(r.settings().parallelism));
        row(s, "checkpoints", "exactly once, every " + r.settings().checkpointInterval.toMillis() + " ms (RocksDB, incremental)");
        row(s, "Flink settings", r.settings().flinkConf.isEmpty()
                ? "the job's defaults (job.object-reuse " + dev.duet.job.JobOptions.OBJECT_REUSE.defaultValue()
                        + ", scoring.intra-op-threads " + dev.duet.job.JobOptions.INTRA_OP_THREADS.defaultValue()
                        + ", job.buffer-timeout " + dev.duet.job.JobOptions.BUFFER_TIMEOUT.defaultValue().toMillis()
                        + " ms); Flink defaults otherwise"
                : new java.util.TreeMap<>(r.settings().flinkConf).toString());
        row(s, "inputs", "interactions with the user's profile, one request (" + r.settings().candidates + " candidates, k "
                + r.settings().k + ") after every " + r.settings().requestEvery + " interactions; catalog seeded from a file");
        row(s, "data", r.data());
        row(s, "model", r.model());
        if (r.worker() != null) {
            row(s, "LLM worker (c)", r.worker() + ", in process");
        }
        row(s, "whole run", String.format(Locale.ROOT, "%.0f s", r.seconds()));
        s.append("\n## Results\n\n").append(summary(r)).append('\n');
        s.append("Sustained: outputs per second between the 10th and 90th percentile of the outputs' broker append times while"
                + " a bounded job drains a backlog written before it started. Processing latency: output append time minus"
                + " input append time (both stamped by the broker). Visible: when a read_committed consumer received the output,"
                + " minus the input's append time (adds the wait for the checkpoint that commits the transaction).\n\n");
        s.append("![throughput](").append(THROUGHPUT_CHART).append(")\n![latency](").append(LATENCY_CHART).append(")\n![latency over time](")
                .append(TIMELINE_CHART).append(")\n\n");
        for (ConfigResult c : r.configs()) {
            s.append("## (").append(c.config().key).append(") ").append(c.config().description).append("\n\n");
            if (c.error() != null) {
                s.append("**Failed:** ").append(c.error()).append("\n\n");
            }
            for (ThroughputResult t : c.attempts()) {
                s.append(String.format(Locale.ROOT, "- %s: backlog %,d events (written in %.1f s), %,d out, lost %d,"
                                + " duplicates %d; drained in %.1f s: %s events/s sustained, %s over the whole drain; job %.1f s"
                                + " from submission (start-up and final checkpoint included); routes %s; load %.1f -> %.1f%n",
                        t.warmUp() ? "warm-up drain, not measured" : "throughput", t.eventsIn(), t.fillSeconds(), t.eventsOut(), t.lost(), t.duplicates(), t.drainSeconds(),
                        fmt0(t.sustainedRate()), fmt0(t.drainRate()), t.jobSeconds(), t.routes(), t.loadBefore(), t.loadAfter()));
            }
            latencyLine(s, c.halfRate());
            latencyLine(s, c.fixedRate());
            ThroughputResult t = c.throughput();
            if (t != null && t.profile() != null) {
                s.append(String.format(Locale.ROOT, "%nCPU of the whole JVM per event during the drain: about %.0f us.%n",
                        t.cpuMicrosPerEvent()));
                s.append("\nProfile of the drain:\n\n");
                profile(s, t.profile());
            }
            if (c.halfRate() != null && c.halfRate().profile() != null) {
                s.append("\nProfile of the latency phase at half rate (CPU per thread group):\n\n");
                s.append(entries(c.halfRate().profile().threadCpu(), "thread name, 15 characters (threads)", "CPU s", true));
            }
            s.append('\n');
        }
        return s.toString();
    }

    private static void latencyLine(StringBuilder s, LatencyResult l) {
        if (l == null) {
            return;
        }
        s.append(String.format(Locale.ROOT, "- latency at %,.0f events/s asked (%,.0f achieved): %,d in, %,d out, lost %d,"
                        + " duplicates %d; measured %,d: processing p50 %s p90 %s p99 %s max %s ms; visible p50 %s p99 %s ms;"
                        + " in-job (latency_ms) p50 %s p99 %s ms; load %.1f -> %.1f%n",
                l.rateAsked(), l.rateAchieved(), l.eventsIn(), l.eventsOut(), l.lost(), l.duplicates(), l.processing().count(),
                fmt0(l.processing().p50()), fmt0(l.processing().p90()), fmt0(l.processing().p99()), fmt0(l.processing().max()),
                fmt0(l.visible().p50()), fmt0(l.visible().p99()), fmt0(l.inJob().p50()), fmt0(l.inJob().p99()), l.loadBefore(),
                l.loadAfter()));
        l.processingByRoute().forEach((route, st) -> s.append(String.format(Locale.ROOT,
                "  - route %s: %,d records, processing p50 %s p99 %s ms%n", route, st.count(), fmt0(st.p50()), fmt0(st.p99()))));
        if (l.profile() != null) {
            // A pause stops the broker, the worker and the job together: set beside the p99.
            s.append(String.format(Locale.ROOT, "  - garbage collection in the window: %d collections, pauses %.0f ms in all,"
                    + " longest %.0f ms%n", l.profile().collections(), l.profile().gcPauseMs(), l.profile().gcLongestPauseMs()));
        }
        checkpoints(s, l.checkpoints());
    }

    /** Per task: the slowest subtask's parts of each checkpoint, median / maximum over the window. */
    private static void checkpoints(StringBuilder s, CheckpointStats c) {
        if (c == null || c.checkpoints() == 0) {
            return;
        }
        s.append(String.format(Locale.ROOT, "%n  %d checkpoints in the measured window, trigger to completion median %d / max %d ms;"
                + " per task, the slowest subtask's parts (median / max ms; sync is on the task thread, after the"
                + " operators' pre-barrier flushes; the write-behind caches' flush from the operators' histograms over the"
                + " phase's job):%n%n", c.checkpoints(), c.endToEndMs()[0], c.endToEndMs()[1]));
        s.append("  | task | sync | async | alignment | start delay | trigger to acknowledgement | pre-barrier cache flush |\n");
        s.append("  |---|---|---|---|---|---|---|\n");
        c.tasks().forEach((task, figures) -> {
            s.append("  | `").append(task.length() > 60 ? task.substring(0, 60) + "..." : task).append('`');
            for (String figure : CheckpointStats.FIGURES) {
                long[] v = figures.get(figure);
                s.append(" | ").append(v[0]).append(" / ").append(v[1]);
            }
            double[] flush = c.preBarrierFlushMs().get(task);
            s.append(" | ").append(flush == null ? "-" : String.format(Locale.ROOT, "%.1f / %.1f", flush[0], flush[1]));
            s.append(" |\n");
        });
        s.append('\n');
    }

    private static void profile(StringBuilder s, Profile p) {
        s.append(String.format(Locale.ROOT, "%.1f s profiled; this JVM used %.2f cores, the whole machine %.2f; GC pauses %.0f ms"
                        + " in %d collections; %,d execution samples, %,d native samples outside I/O waits; JIT compilers compiled for"
                + " %.1f s (%.0f %% of one core); code cache %.0f of %.0f MB.%n%n",
                p.seconds(), p.processCores(), p.machineCores(), p.gcPauseMs(), p.collections(), p.executionSamples(),
                p.nativeSamples(), p.jitCompileMs() / 1e3, 100 * p.jitCompileMs() / 1e3 / p.seconds(), p.codeCacheUsedMb(),
                p.codeCacheMaxMb()));
        s.append(entries(p.threadCpu(), "thread name, 15 characters (threads)", "CPU s", true)).append('\n');
        s.append(entries(p.hotMethods(), "hot method (top frame, Java)", "samples", false)).append('\n');
        s.append(entries(p.hotProjectMethods(), "topmost dev.duet frame", "samples", false)).append('\n');
        s.append(entries(p.inclusiveProjectMethods(), "dev.duet method anywhere on the stack (inclusive)", "samples", false,
                2 * PROFILE_ROWS))
                .append('\n');
        s.append(entries(p.hotNativeMethods(), "hot native method", "samples", false));
    }

    private static String entries(List<Profile.Entry> list, String what, String unit, boolean decimals) {
        return entries(list, what, unit, decimals, PROFILE_ROWS);
    }

    private static String entries(List<Profile.Entry> list, String what, String unit, boolean decimals, int rows) {
        StringBuilder s = new StringBuilder("| " + what + " | " + unit + " | share |\n|---|---|---|\n");
        for (Profile.Entry e : list.subList(0, Math.min(rows, list.size()))) {
            s.append(String.format(Locale.ROOT, "| `%s` | %s | %.1f %% |%n", e.name().replace("|", "\\|"),
                    decimals ? String.format(Locale.ROOT, "%.1f", e.value()) : String.format(Locale.ROOT, "%.0f", e.value()),
                    100 * e.share()));
        }
        return s.toString();
    }

    private static void row(StringBuilder s, String k, String v) {
        s.append("| ").append(k).append(" | ").append(v == null ? "-" : v.replace("|", "\\|")).append(" |\n");
    }

    static String fmt0(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%,.0f", v) : "-";
    }

    static String fmt2(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "-";
    }
}
