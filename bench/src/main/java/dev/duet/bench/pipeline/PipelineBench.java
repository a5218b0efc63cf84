package dev.duet.bench.pipeline;

import dev.duet.demo.DemoModel;
import dev.duet.demo.DemoSettings;
import dev.duet.demo.DemoWorker;
import dev.duet.demo.EmbeddedKafka;
import dev.duet.demo.ReplayPlan;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.Datasets;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.job.JobOptions;
import dev.duet.trainer.eval.Machine;
import dev.duet.worker.LlmWorker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code ./duet bench pipeline}: Kafka to job to Kafka on this machine, in one run, for the
 * configurations of {@link JobConfig}. An in-process broker on 127.0.0.1 (the demo's), the CRM the
 * demo serves (trained once and cached), the catalog seeded from a file, and for configuration c
 * the demo's in-process LLM worker (text encoder). Per configuration:
 *
 * <ol>
 *   <li>Throughput: a backlog written into fresh input topics before the job starts, drained by a
 *       bounded job at the configured parallelism with exactly-once checkpoints running; the rate
 *       is taken from the outputs' broker append times, so the job's start-up does not count. A
 *       backlog that drained in less than half the wanted time is measured again, sized from the
 *       first rate (only when the backlog size is automatic).
 *   <li>Latency: a fresh job fed at half that rate; per record the output's append time minus the
 *       input's (processing), and the read_committed consumer's receipt time minus the input's
 *       append time (visible, which waits for the checkpoint that commits the output).
 *   <li>Configuration c also at the fixed rate of the CRM-route target.
 * </ol>
 *
 * <p>Each measured window is profiled ({@link Profiler}); every phase checks that each input gave
 * exactly one output. Reports go to the output folder ({@link Report}).
 */
public final class PipelineBench implements AutoCloseable {

    /** First guesses of the sustained rates, for sizing the first backlog (events per second). */
    private static final Map<JobConfig, Double> FIRST_GUESS =
            Map.of(JobConfig.PASS_THROUGH, 40_000.0, JobConfig.CRM, 8_000.0, JobConfig.FULL, 5_000.0);

    private final PipelineBenchSettings settings;
    private final PrintStream out;
    private final List<Double> loads = new ArrayList<>();
    private final long startedNs = System.nanoTime();

    private Recording recording;
    private EmbeddedKafka kafka;
    private LlmWorker worker;
    private Workload workload;
    private Path model;
    private Path catalogSeed;
    private String dataDescription;
    private int phaseNo;
    private boolean closed;

    public PipelineBench(PipelineBenchSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /** Runs every configuration, writes the reports and returns the result. */
    public PipelineBenchResult run() throws Exception {
        Files.createDirectories(settings.out);
        QuietLogs.apply();
        recording = Profiler.startRecording();
        String started = java.time.ZonedDateTime.now().withNano(0).toString();
        loads.add(loadAverage());
        Dataset dataset = settings.data != null ? Datasets.load(settings.data)
                : new SyntheticDatasetGenerator(settings.synthetic).generate();
        dataDescription = settings.data != null ? settings.data.toAbsolutePath().normalize().toString()
                : settings.synthetic.toString();
        workload = new Workload(dataset, settings.requestEvery, settings.candidates, settings.k, settings.seed);
        model = DemoModel.resolve(settings.model, settings.modelCache, dataset, dataDescription, settings.training, out);
        List<String> catalog = ReplayPlan.catalogLines(dataset);
        catalogSeed = settings.out.resolve("catalog.jsonl");
        Files.write(catalogSeed, catalog, StandardCharsets.UTF_8);

        log("starting the Kafka broker on 127.0.0.1...");
        kafka = EmbeddedKafka.start();
        if (settings.configs.contains(JobConfig.FULL)) {
            log("starting the LLM worker: " + DemoWorker.describe(DemoSettings.LlmBackend.TEXT_ENCODER, null) + "...");
            worker = DemoWorker.start(DemoSettings.LlmBackend.TEXT_ENCODER, null, settings.llmThreads);
            Map<String, Integer> popularity = new HashMap<>();
            dataset.interactions().forEach(i -> popularity.merge(i.itemId(), 1, Integer::sum));
            long t = System.nanoTime();
            int warmed = DemoWorker.warmUp(worker, catalog, popularity, settings.workerWarmUp);
            log(String.format(Locale.ROOT, "LLM worker on 127.0.0.1:%d, item cache warmed with %,d of %,d items in %.1f s",
                    worker.port(), warmed, catalog.size(), (System.nanoTime() - t) / 1e9));
        }

        List<ConfigResult> results = new ArrayList<>();
        for (JobConfig config : settings.configs) {
            results.add(measure(config));
        }
        loads.add(loadAverage());
        PipelineBenchResult result = new PipelineBenchResult(settings, started, Machine.describe(), dataDescription,
                model.toAbsolutePath().toString(), worker == null ? null
                        : DemoWorker.describe(DemoSettings.LlmBackend.TEXT_ENCODER, null), results,
                loads.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                loads.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
                (System.nanoTime() - startedNs) / 1e9);
        Report.write(settings.out, result);
        out.println();
        out.print(Report.summary(result));
        out.println("bench pipeline: reports in " + settings.out.resolve(Report.JSON_FILE) + ", " + Report.MARKDOWN_FILE + ", "
                + Report.THROUGHPUT_CHART + ", " + Report.LATENCY_CHART);
        return result;
    }

    private ConfigResult measure(JobConfig config) {
        out.println();
        log("configuration " + config.key + ": " + config.description);
        List<ThroughputResult> attempts = new ArrayList<>();
        LatencyResult half = null;
        LatencyResult fixed = null;
        try {
            double estimate = FIRST_GUESS.get(config);
            if (!settings.warmUpDrain.isZero()) {
                // JIT compilation of a configuration's code takes tens of seconds on two busy cores;
                // unmeasured drains do it (later jobs run in this JVM with the same classes) until the
                // compilers are mostly done, and tell how big the measured backlog must be. A
                // TaskManager that runs for hours has long finished compiling; a measured window in
                // which C2 still takes half a core measures the compiler as much as the job.
                for (int drain = 1; ; drain++) {
                    long warmEvents = settings.events > 0 ? settings.events
                            : Math.min(settings.maxEvents, (long) (estimate * settings.warmUpDrain.toMillis() / 1e3));
                    long jitBefore = JitStats.compileMs();
                    ThroughputResult warm = throughput(config, warmEvents, true);
                    double jitShare = (JitStats.compileMs() - jitBefore) / 1e3 / warm.jobSeconds();
                    attempts.add(warm);
                    requireAccounted(warm);
                    if (Double.isFinite(warm.tailRate())) {
                        estimate = warm.tailRate();
                    }
                    boolean warmEnough = jitShare <= settings.warmUpJitShare;
                    log(String.format(Locale.ROOT, "  warm-up drain %d: the JIT compiled %.0f %% of the job's %.1f s%s", drain,
                            100 * jitShare, warm.jobSeconds(), warmEnough ? ": warm"
                                    : drain >= settings.warmUpDrains ? ": still compiling, but the last warm-up allowed"
                                    : ": another warm-up drain"));
                    if (warmEnough || drain >= settings.warmUpDrains) {
                        break;
                    }
                }
            }
            long events = settings.events > 0 ? settings.events
                    : Math.min(settings.maxEvents, (long) Math.ceil(estimate * settings.drain.toMillis() / 1e3 * 1.2));
            for (int measured = 1; ; measured++) {
                ThroughputResult t = throughput(config, events, false);
                attempts.add(t);
                requireAccounted(t);
                long wanted = Math.min(settings.maxEvents, (long) Math.ceil(t.sustainedRate() * settings.drain.toMillis() / 1e3 * 1.1));
                if (settings.events > 0 || measured == 2 || t.drainSeconds() >= 0.5 * settings.drain.toSeconds()
                        || wanted <= events) {
                    break;
                }
                log(String.format(Locale.ROOT, "the backlog drained in %.1f s, under half of %d s: measuring again with %,d events",
                        t.drainSeconds(), settings.drain.toSeconds(), wanted));
                events = wanted;
            }
            double rate = Math.max(1, attempts.get(attempts.size() - 1).sustainedRate() / 2);
            half = latency(config, rate, "half the sustained rate");
            if (config == JobConfig.FULL && settings.fixedRate > 0) {
                fixed = latency(config, settings.fixedRate, "the CRM-route target's rate");
            }
            return new ConfigResult(config, attempts, half, fixed, null);
        } catch (Exception e) {
            String why = describe(e);
            log("configuration " + config.key + " FAILED: " + why);
            return new ConfigResult(config, attempts, half, fixed, why);
        }
    }

    private static void requireAccounted(ThroughputResult t) {
        if (!t.accounted()) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "inputs and outputs differ: %,d in, %,d out, %,d lost, %,d duplicates, %,d unknown",
                    t.eventsIn(), t.eventsOut(), t.lost(), t.duplicates(), t.unknown()));
        }
    }

    private ThroughputResult throughput(JobConfig config, long events, boolean warmUp) throws Exception {
        String phase = warmUp ? "warm-up drain (not measured)" : "throughput";
        double loadBefore = loadAverage();
        PhaseTopics topics = new PhaseTopics(prefix(config, "drain"), settings.parallelism);
        topics.create(kafka.clientProperties());
        Path checkpoints = Files.createTempDirectory("duet-bench-checkpoints");
        try {
            InputLog inputs = new InputLog(settings.parallelism);
            double fillSeconds;
            try (InputWriter writer = new InputWriter(kafka.producerProperties(), topics, inputs)) {
                log(String.format(Locale.ROOT, "  %s: writing a backlog of %,d events...", phase, events));
                long every = Math.max(100_000, events / 5 / 100_000 * 100_000);
                fillSeconds = writer.fill(workload.cursor(), events, n -> {
                    if (n % every == 0) {
                        log(String.format(Locale.ROOT, "    %,d of %,d written", n, events));
                    }
                });
            }
            log(String.format(Locale.ROOT, "  %s: %,d events written in %.1f s (%,.0f/s); starting the bounded job...",
                    phase, inputs.total(), fillSeconds, inputs.total() / fillSeconds));
            long jobStart = System.nanoTime();
            Profiler profiler = null;
            Profile profile;
            try (BenchJob job = BenchJob.start(config, jobOptions(config, topics, true, checkpoints), settings.flinkConf);
                    KafkaConsumer<byte[], byte[]> watcher = endOffsetWatcher()) {
                List<TopicPartition> outputs = partitions(watcher, topics.output);
                long deadline = System.nanoTime() + Duration.ofSeconds(180 + events / 500).toNanos();
                long nextProgress = System.nanoTime() + settings.progressEvery.toNanos();
                boolean outputStarted = false;
                while (!job.finished()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the job did not drain the backlog within "
                                + Duration.ofNanos(deadline - jobStart).toSeconds() + " s");
                    }
                    if (!outputStarted && endOffset(watcher, outputs) > 0) {
                        outputStarted = true;
                        profiler = warmUp ? null : Profiler.start(recording);
                    }
                    if (System.nanoTime() > nextProgress) {
                        nextProgress = System.nanoTime() + settings.progressEvery.toNanos();
                        log(String.format(Locale.ROOT, "    %4.0f s: ~%,d of %,d out (load %.1f)", (System.nanoTime() - jobStart) / 1e9,
                                endOffset(watcher, outputs), inputs.total(), loadAverage()));
                    }
                    Thread.sleep(50);
                }
            } finally {
                profile = profiler == null ? null : profiler.stop();
            }
            double jobSeconds = (System.nanoTime() - jobStart) / 1e9;

            OutputLog outputs = new OutputLog(topics.interactions, settings.parallelism);
            try (OutputConsumer consumer = new OutputConsumer(kafka.bootstrap(), topics, outputs)) {
                consumer.readToEnd(Duration.ofSeconds(120 + events / 20_000));
            }
            long[] times = outputs.appendTimes();
            Arrays.sort(times);
            int n = times.length;
            double drainSeconds = n == 0 ? 0 : Math.max(1, times[n - 1] - times[0]) / 1e3;
            double sustained = Double.NaN;
            if (n >= 10) {
                int lo = (int) (0.1 * n);
                int hi = (int) (0.9 * n) - 1;
                sustained = (hi - lo) / (Math.max(1, times[hi] - times[lo]) / 1e3);
            } else if (n > 0) {
                sustained = n / drainSeconds;
            }
            double tail = Double.NaN;
            if (n >= 10) {
                int lo = (int) (0.7 * n);
                int hi = (int) (0.95 * n) - 1;
                tail = (hi - lo) / (Math.max(1, times[hi] - times[lo]) / 1e3);
            }
            long[] perSecond = n == 0 ? new long[0] : new long[(int) ((times[n - 1] - times[0]) / 1000) + 1];
            for (long t : times) {
                perSecond[(int) ((t - times[0]) / 1000)]++;
            }
            ThroughputResult result = new ThroughputResult(warmUp, inputs.total(), n, outputs.lost(inputs), outputs.duplicates(),
                    outputs.unknown(), outputs.deadLetters(), fillSeconds, jobSeconds, drainSeconds,
                    n == 0 ? Double.NaN : n / drainSeconds, sustained, tail, perSecond, outputs.routeCounts(), profile, loadBefore,
                    loadAverage());
            log(String.format(Locale.ROOT, "  %s: %,d in, %,d out (lost %d, duplicates %d); drained in %.1f s:"
                            + " %,.0f events/s sustained, %,.0f over the whole drain; routes %s%s",
                    phase, result.eventsIn(), result.eventsOut(), result.lost(), result.duplicates(), drainSeconds, sustained,
                    result.drainRate(), result.routes(), profile == null ? ""
                            : String.format(Locale.ROOT, "; CPU %.2f cores (machine %.2f), JIT compiling %.1f s",
                                    profile.processCores(), profile.machineCores(), profile.jitCompileMs() / 1e3)));
            return result;
        } finally {
            cleanUp(topics, checkpoints);
        }
    }

    private LatencyResult latency(JobConfig config, double rate, String why) throws Exception {
        double loadBefore = loadAverage();
        PhaseTopics topics = new PhaseTopics(prefix(config, "latency"), settings.parallelism);
        topics.create(kafka.clientProperties());
        Path checkpoints = Files.createTempDirectory("duet-bench-checkpoints");
        long warmUpEvents = (long) Math.ceil(rate * settings.warmUp.toMillis() / 1e3);
        long events = warmUpEvents + (long) Math.ceil(rate * settings.measure.toMillis() / 1e3);
        log(String.format(Locale.ROOT, "  latency at %,.0f events/s (%s): %,d events over %d + %d s (warm-up + measured)",
                rate, why, events, settings.warmUp.toSeconds(), settings.measure.toSeconds()));
        try {
            InputLog inputs = new InputLog(settings.parallelism);
            OutputLog outputs = new OutputLog(topics.interactions, settings.parallelism);
            Profile profile = null;
            double writeSeconds;
            long measureFrom;
            CheckpointStats checkpointStats = null;
            try (BenchJob job = BenchJob.start(config, jobOptions(config, topics, false, checkpoints), settings.flinkConf);
                    OutputConsumer consumer = new OutputConsumer(kafka.bootstrap(), topics, outputs);
                    InputWriter writer = new InputWriter(kafka.producerProperties(), topics, inputs)) {
                job.awaitRunning(Duration.ofSeconds(120));
                consumer.start();
                long t0 = System.nanoTime();
                writer.startPaced(workload.cursor(), events, rate, warmUpEvents);
                Profiler profiler = null;
                long nextProgress = System.nanoTime() + settings.progressEvery.toNanos();
                try {
                    while (!writer.finished()) {
                        job.throwIfFailed();
                        failIf("the input writer", writer.failure());
                        failIf("the output reader", consumer.failure());
                        if (profiler == null && writer.measureFromMs() != Long.MAX_VALUE) {
                            profiler = Profiler.start(recording);
                        }
                        if (System.nanoTime() > nextProgress) {
                            nextProgress = System.nanoTime() + settings.progressEvery.toNanos();
                            log(String.format(Locale.ROOT, "    %4.0f s: %,d of %,d in, %,d out (load %.1f)", (System.nanoTime() - t0) / 1e9,
                                    inputs.total(), events, outputs.size(), loadAverage()));
                        }
                        Thread.sleep(50);
                    }
                } finally {
                    if (profiler != null) {
                        profile = profiler.stop();
                    }
                }
                failIf("the input writer", writer.failure());
                writeSeconds = writer.seconds();
                measureFrom = writer.measureFromMs();
                // Every input's output, then a quiet spell of two checkpoints (a duplicate could only come later).
                long deadline = System.nanoTime() + Duration.ofSeconds(120).plus(settings.checkpointInterval.multipliedBy(5)).toNanos();
                while (outputs.size() < inputs.total() && System.nanoTime() < deadline) {
                    job.throwIfFailed();
                    failIf("the output reader", consumer.failure());
                    if (System.nanoTime() > nextProgress) {
                        nextProgress = System.nanoTime() + settings.progressEvery.toNanos();
                        log(String.format(Locale.ROOT, "    %4.0f s: all %,d in, %,d out", (System.nanoTime() - t0) / 1e9,
                                inputs.total(), outputs.size()));
                    }
                    Thread.sleep(50);
                }
                Thread.sleep(settings.checkpointInterval.multipliedBy(2).toMillis());
                try {
                    checkpointStats = job.checkpointStats(measureFrom);
                } catch (IOException e) {
                    log("    checkpoint statistics not available: " + e.getMessage());
                }
            }
            List<OutputLog.Joined> joined = outputs.joined(inputs, measureFrom);
            long[] processing = new long[joined.size()];
            long[] visible = new long[joined.size()];
            long[] inJob = new long[joined.size()];
            Map<String, List<Long>> byRoute = new LinkedHashMap<>();
            Map<String, Long> routes = new LinkedHashMap<>();
            for (int i = 0; i < joined.size(); i++) {
                OutputLog.Joined j = joined.get(i);
                processing[i] = j.outputAppendMs() - j.inputAppendMs();
                visible[i] = j.receivedMs() - j.inputAppendMs();
                inJob[i] = j.inJobMs();
                byRoute.computeIfAbsent(j.route(), r -> new ArrayList<>()).add(processing[i]);
                routes.merge(j.route(), 1L, Long::sum);
            }
            Map<String, LatencyStats> perRoute = new LinkedHashMap<>();
            byRoute.forEach((route, list) -> perRoute.put(route, LatencyStats.of(list.stream().mapToLong(Long::longValue).toArray())));
            LatencyResult result = new LatencyResult(rate, inputs.total() / Math.max(1e-3, writeSeconds), inputs.total(),
                    outputs.size(), outputs.lost(inputs), outputs.duplicates(), outputs.unknown(), LatencyStats.of(processing),
                    LatencyStats.of(visible), LatencyStats.of(inJob), perRoute, routes, p99PerSecond(joined, processing),
                    profile, checkpointStats, loadBefore, loadAverage());
            log(String.format(Locale.ROOT, "  latency: %,d in at %,.0f/s, %,d out (lost %d, duplicates %d); measured %,d:"
                            + " processing p50 %.0f p99 %.0f ms, visible p50 %.0f p99 %.0f ms; routes %s",
                    result.eventsIn(), result.rateAchieved(), result.eventsOut(), result.lost(), result.duplicates(),
                    result.processing().count(), result.processing().p50(), result.processing().p99(), result.visible().p50(),
                    result.visible().p99(), routes));
            if (!result.accounted()) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "inputs and outputs differ at %,.0f events/s: %,d in, %,d out, %,d lost, %,d duplicates, %,d unknown", rate,
                        result.eventsIn(), result.eventsOut(), result.lost(), result.duplicates(), result.unknown()));
            }
            return result;
        } finally {
            cleanUp(topics, checkpoints);
        }
    }

    /** Processing-latency p99 of the inputs appended in each second, from the first measured input on. */
    static double[] p99PerSecond(List<OutputLog.Joined> joined, long[] processing) {
        if (joined.isEmpty()) {
            return new double[0];
        }
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (OutputLog.Joined j : joined) {
            first = Math.min(first, j.inputAppendMs());
            last = Math.max(last, j.inputAppendMs());
        }
        int seconds = (int) ((last - first) / 1000) + 1;
        List<List<Long>> bySecond = new ArrayList<>();
        for (int i = 0; i < seconds; i++) {
            bySecond.add(new ArrayList<>());
        }
        for (int i = 0; i < joined.size(); i++) {
            bySecond.get((int) ((joined.get(i).inputAppendMs() - first) / 1000)).add(processing[i]);
        }
        double[] p99 = new double[seconds];
        for (int i = 0; i < seconds; i++) {
            p99[i] = LatencyStats.of(bySecond.get(i).stream().mapToLong(Long::longValue).toArray()).p99();
        }
        return p99;
    }

    /** The job's options for one phase: its topics, a fresh group and transactional prefix, bounded or not. */
    private Configuration jobOptions(JobConfig config, PhaseTopics topics, boolean bounded, Path checkpoints) {
        String run = "duet-bench-" + config.key + "-" + UUID.randomUUID().toString().substring(0, 8);
        Configuration c = new Configuration();
        c.set(JobOptions.BOOTSTRAP, kafka.bootstrap());
        c.set(JobOptions.GROUP_ID, run);
        c.set(JobOptions.TRANSACTIONAL_ID_PREFIX, run);
        c.set(JobOptions.BOUNDED, bounded);
        topics.applyTo(c);
        c.set(JobOptions.MODEL_PATH, model.toAbsolutePath().toString());
        c.set(JobOptions.CATALOG_SEED, catalogSeed.toAbsolutePath().toString());
        c.set(JobOptions.CHECKPOINT_DIR, checkpoints.toUri().toString());
        c.set(JobOptions.CHECKPOINT_INTERVAL, settings.checkpointInterval);
        c.set(JobOptions.PARALLELISM, settings.parallelism);
        c.set(JobOptions.WEB_PORT, 0);
        c.set(JobOptions.LLM_ENABLED, config == JobConfig.FULL);
        if (worker != null) {
            c.set(JobOptions.WORKERS, "127.0.0.1:" + worker.port());
        }
        // --flink-conf also reaches the job's own options (scoring.max-delay, job.buffer-timeout, ...).
        settings.flinkConf.forEach(c::setString);
        return c;
    }

    private String prefix(JobConfig config, String phase) {
        return "bench-" + (++phaseNo) + "-" + config.key + "-" + phase;
    }

    private KafkaConsumer<byte[], byte[]> endOffsetWatcher() {
        Properties p = kafka.clientProperties();
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("isolation.level", "read_uncommitted");
        return new KafkaConsumer<>(p);
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        List<TopicPartition> list = new ArrayList<>();
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(p -> list.add(new TopicPartition(topic, p.partition())));
        return list;
    }

    /** The output's log end offsets summed: records written so far, transaction markers included (an estimate). */
    private static long endOffset(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
        return consumer.endOffsets(partitions, Duration.ofSeconds(10)).values().stream().mapToLong(Long::longValue).sum();
    }

    private void cleanUp(PhaseTopics topics, Path checkpoints) {
        try {
            topics.delete(kafka.clientProperties());
        } catch (Exception e) {
            log("  could not delete the phase's topics: " + e.getMessage());
        }
        deleteTree(checkpoints);
    }

    private static void failIf(String what, Throwable t) {
        if (t != null) {
            throw new IllegalStateException(what + " failed: " + t.getMessage(), t);
        }
    }

    /** The machine's 1-minute load average (NaN where unknown). */
    private double loadAverage() {
        double load = Double.NaN;
        try {
            load = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // Not Linux.
        }
        if (!Double.isNaN(load)) {
            loads.add(load);
        }
        return load;
    }

    private void log(String line) {
        out.printf(Locale.ROOT, "[%5.0fs] %s%n", (System.nanoTime() - startedNs) / 1e9, line);
    }

    static String describe(Throwable e) {
        StringBuilder line = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank() && line.indexOf(message) < 0) {
                line.append(line.length() > 0 ? ": " : "").append(message);
            }
        }
        return line.length() == 0 ? e.getClass().getSimpleName() : line.toString();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp folder left behind is harmless.
        }
    }

    /** Stops the worker and the broker; safe to call twice and from a shutdown hook. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (worker != null) {
            try {
                worker.close();
            } catch (Exception e) {
                out.println("bench pipeline: stopping the LLM worker: " + e.getMessage());
            }
        }
        if (kafka != null) {
            kafka.close();
        }
        if (recording != null) {
            recording.close();
        }
    }
}
