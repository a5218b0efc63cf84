package dev.duet.bench.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finished pipeline benchmark.
 *
 * @param settings what was asked
 * @param started when the run started (ISO date and time)
 * @param machine {@code Machine.describe()}
 * @param data the data the inputs came from
 * @param model the CRM served
 * @param worker the LLM worker of configuration c, or null
 * @param configs one result per configuration, in a, b, c order
 * @param loadMin lowest 1-minute load average seen during the run
 * @param loadMax highest
 * @param seconds the whole run
 */
public record PipelineBenchResult(
        PipelineBenchSettings settings,
        String started,
        Map<String, Object> machine,
        String data,
        String model,
        String worker,
        List<ConfigResult> configs,
        double loadMin,
        double loadMax,
        double seconds) {

    /** The CRM-route latency target: p99 under this many milliseconds at the fixed rate. */
    static final double CRM_P99_TARGET_MS = 50;
    /** The throughput target of configuration b, events per second. */
    static final double CRM_THROUGHPUT_TARGET = 20_000;

    /** Whether every configuration ran to the end and accounted for every input exactly once. */
    public boolean ok() {
        return !configs.isEmpty() && configs.stream().allMatch(c -> c.error() == null && c.accounted());
    }

    /** Problems that make the run fail (targets missed are results, not problems). */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (ConfigResult c : configs) {
            if (c.error() != null) {
                problems.add("configuration " + c.config().key + ": " + c.error());
            } else if (!c.accounted()) {
                problems.add("configuration " + c.config().key + ": not every input gave exactly one output");
            }
        }
        return problems;
    }

    ConfigResult config(JobConfig key) {
        return configs.stream().filter(c -> c.config() == key).findFirst().orElse(null);
    }

    /** The targets of issue 7 with what was measured; "met" is null when a figure is missing. */
    List<Map<String, Object>> targets() {
        List<Map<String, Object>> list = new ArrayList<>();
        ConfigResult a = config(JobConfig.PASS_THROUGH);
        ConfigResult b = config(JobConfig.CRM);
        ConfigResult c = config(JobConfig.FULL);
        Double ratio = a == null || b == null ? null : Report.num(ConfigResult.ratio(b.sustainedRate(), a.sustainedRate()));
        list.add(target("(b) throughput at least half of (a)'s", "ratio b/a", ratio, ratio == null ? null : ratio >= 0.5));
        Double bRate = b == null ? null : Report.num(b.sustainedRate());
        list.add(target("(b) throughput at least 20,000 events/s", "events/s", bRate,
                bRate == null ? null : bRate >= CRM_THROUGHPUT_TARGET));
        LatencyStats crm = c == null || c.fixedRate() == null ? null : c.fixedRate().processingByRoute().get("crm");
        Double p99 = crm == null ? null : Report.num(crm.p99());
        String rate = String.format(java.util.Locale.ROOT, "%,.0f", settings.fixedRate);
        list.add(target("CRM-route latency p99 under 50 ms at " + rate + " events/s, checkpoints running (c, processing latency)",
                "ms", p99, p99 == null ? null : p99 < CRM_P99_TARGET_MS));
        return list;
    }

    private static Map<String, Object> target(String name, String unit, Double value, Boolean met) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", name);
        m.put("unit", unit);
        m.put("measured", value);
        m.put("met", met);
        return m;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", settings.command);
        m.put("started", started);
        m.put("seconds", seconds);
        m.put("machine", machine);
        m.put("load_average_min", loadMin);
        m.put("load_average_max", loadMax);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("parallelism", settings.parallelism);
        s.put("checkpoint_interval_ms", settings.checkpointInterval.toMillis());
        s.put("flink_conf", new java.util.TreeMap<>(settings.flinkConf));
        s.put("drain_seconds_wanted", settings.drain.toSeconds());
        s.put("backlog_events", settings.events == 0 ? "automatic" : settings.events);
        s.put("latency_warm_up_seconds", settings.warmUp.toSeconds());
        s.put("latency_measured_seconds", settings.measure.toSeconds());
        s.put("fixed_rate", settings.fixedRate);
        s.put("request_every", settings.requestEvery);
        s.put("candidates", settings.candidates);
        s.put("k", settings.k);
        s.put("data", data);
        s.put("model", model);
        s.put("llm_worker", worker);
        m.put("settings", s);
        m.put("ok", ok());
        m.put("problems", problems());
        m.put("targets", targets());
        ConfigResult baseline = config(JobConfig.PASS_THROUGH);
        List<Object> list = new ArrayList<>();
        configs.forEach(c -> list.add(c.toMap(baseline)));
        m.put("configs", list);
        return m;
    }
}
