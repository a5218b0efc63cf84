package dev.duet.bench.pipeline;

import dev.duet.core.onnx.ShortCommandLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./duet bench pipeline}: see {@link PipelineBench} and docs/benchmarks.md. */
@Command(
        name = "pipeline",
        mixinStandardHelpOptions = true,
        description = {
            "Kafka -> job -> Kafka on this machine, everything in process on 127.0.0.1: (a) a pass-through job, (b) state"
                    + " + CRM scoring without the LLM, (c) the full job routing to an in-process LLM worker. For each: the"
                    + " highest sustained events/s at the given parallelism (a backlog drained with checkpoints running), and"
                    + " p50/p99 end-to-end latency at half that rate; (c) also at --crm-rate. Each measured window is profiled"
                    + " (JFR). Writes bench-pipeline.json, bench-pipeline.md and charts into --out.",
            "Exit code 0 when every phase accounted for every input exactly once, 1 otherwise."
        })
final class PipelineBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the reports go (default: ${DEFAULT-VALUE}).",
            defaultValue = "runs/bench-pipeline")
    Path out;

    @Option(names = "--configs", description = "Configurations to measure, any of a,b,c (default: ${DEFAULT-VALUE}).",
            defaultValue = "a,b,c")
    String configs;

    @Option(names = "--events", description = "Backlog of each throughput phase; 0 sizes it so that it drains in about"
            + " --seconds (default: ${DEFAULT-VALUE}).", defaultValue = "0")
    long events;

    @Option(names = "--max-events", description = "Largest automatic backlog (default: ${DEFAULT-VALUE}).", defaultValue = "4000000")
    long maxEvents;

    @Option(names = "--seconds", description = "Wanted drain time of a backlog, and measured time of a latency phase"
            + " (default: ${DEFAULT-VALUE}).", defaultValue = "30")
    long seconds;

    @Option(names = "--warm-up-drain-seconds", description = "About how long the unmeasured first drain of each"
            + " configuration takes (JIT warm-up; sizes the measured backlog); 0 for none (default: ${DEFAULT-VALUE}).",
            defaultValue = "10")
    long warmUpDrainSeconds;

    @Option(names = "--warm-up-drains", description = "Most warm-up drains per configuration: another runs while the JIT"
            + " compilers still compiled for more than --warm-up-jit-share of the last one's time (default: ${DEFAULT-VALUE}).",
            defaultValue = "4")
    int warmUpDrains;

    @Option(names = "--warm-up-jit-share", description = "JIT compile seconds per second of a warm-up drain under which the"
            + " code counts as warm (default: ${DEFAULT-VALUE}).", defaultValue = "0.25")
    double warmUpJitShare;

    @Option(names = "--warm-up-seconds", description = "Start of each latency phase left out of its figures"
            + " (default: ${DEFAULT-VALUE}).", defaultValue = "5")
    long warmUpSeconds;

    @Option(names = "--crm-rate", description = "Rate of the extra latency phase of (c), the CRM-route target; 0 skips it"
            + " (default: ${DEFAULT-VALUE}).", defaultValue = "5000")
    double crmRate;

    @Option(names = "--checkpoint-interval-ms", description = "Exactly-once checkpoint interval (default: ${DEFAULT-VALUE}).",
            defaultValue = "2000")
    long checkpointIntervalMs;

    @Option(names = "--flink-conf", paramLabel = "KEY=VALUE", description = "A Flink setting or job option for every job of"
            + " the run, e.g. job.buffer-timeout=5ms or scoring.max-delay=5ms (repeatable; default: none, the job as"
            + " ./duet job runs it).")
    Map<String, String> flinkConf = new LinkedHashMap<>();

    @Option(names = "--parallelism", description = "Parallelism of the jobs (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int parallelism;

    @Option(names = "--request-every", description = "One request after every N interactions (default: ${DEFAULT-VALUE}).",
            defaultValue = "20")
    int requestEvery;

    @Option(names = "--candidates", description = "Candidates per request (default: ${DEFAULT-VALUE}).", defaultValue = "20")
    int candidates;

    @Option(names = "--model", paramLabel = "PATH", description = "A trained CRM (model.onnx or its folder); without it the"
            + " demo's model is used, trained on the synthetic data once and cached under --model-cache.")
    Path model;

    @Option(names = "--model-cache", paramLabel = "DIR", description = "Where a trained model is kept (default: ${DEFAULT-VALUE},"
            + " shared with ./duet demo).", defaultValue = "runs/demo-model")
    Path modelCache;

    @Option(names = "--data", paramLabel = "DIR", description = "A data folder (MovieLens 100K/1M/CSV); default: synthetic data.")
    Path data;

    @Option(names = "--llm-threads", description = "ONNX Runtime threads of the worker, 0 lets it choose (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    int llmThreads;

    @Option(names = "--worker-warm-up-s", description = "Longest time spent encoding catalog items into the worker's cache"
            + " before (c) (default: ${DEFAULT-VALUE}).", defaultValue = "20")
    long workerWarmUpSeconds;

    @Option(names = "--quick", description = "A short smoke run: 20,000-event backlogs, no warm-up drain, 3 s latency phases after 2 s of"
            + " warm-up, (c) at 1,000 events/s, 1 s checkpoints.")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        // Before anything loads ONNX Runtime: a long command line would crash it (ShortCommandLine).
        int relaunched = ShortCommandLine.relaunchIfNeeded();
        if (relaunched >= 0) {
            return relaunched;
        }
        PipelineBenchSettings.Builder b = PipelineBenchSettings.builder()
                .out(home(out)).configs(configs).events(events).maxEvents(maxEvents)
                .drain(Duration.ofSeconds(seconds)).warmUpDrain(Duration.ofSeconds(warmUpDrainSeconds))
                .warmUpDrains(warmUpDrains).warmUpJitShare(warmUpJitShare).measure(Duration.ofSeconds(seconds)).warmUp(Duration.ofSeconds(warmUpSeconds))
                .fixedRate(crmRate).checkpointInterval(Duration.ofMillis(checkpointIntervalMs))
                .flinkConf(flinkConf)
                .parallelism(parallelism).requestEvery(requestEvery).candidates(candidates)
                .k(Math.min(10, candidates)).model(model).modelCache(home(modelCache)).data(data).llmThreads(llmThreads)
                .workerWarmUp(Duration.ofSeconds(workerWarmUpSeconds))
                .command("./duet " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        if (quick) {
            b.events(events > 0 ? events : 20_000).warmUpDrain(Duration.ZERO).measure(Duration.ofSeconds(3)).warmUp(Duration.ofSeconds(2))
                    .fixedRate(crmRate > 0 ? 1000 : 0).checkpointInterval(Duration.ofSeconds(1))
                    .workerWarmUp(Duration.ofSeconds(Math.min(5, workerWarmUpSeconds))).progressEvery(Duration.ofSeconds(2));
        }
        PipelineBench bench = new PipelineBench(b.build(), System.out);
        Thread hook = new Thread(bench::close, "duet-bench-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            PipelineBenchResult result = bench.run();
            System.out.println(result.ok() ? "bench pipeline: OK, every input accounted for in every phase"
                    : "bench pipeline: FAILED: " + String.join("; ", result.problems()));
            return result.ok() ? 0 : 1;
        } finally {
            bench.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Already shutting down: the hook runs anyway and close() is idempotent.
            }
        }
    }

    /** Relative paths resolve against the checkout (the launcher's duet.home), not wherever java started. */
    private static Path home(Path p) {
        String home = System.getProperty("duet.home");
        return p == null || p.isAbsolute() || home == null ? p : Path.of(home).resolve(p);
    }
}
