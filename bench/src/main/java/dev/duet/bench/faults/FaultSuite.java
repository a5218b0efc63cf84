package dev.duet.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.duet.bench.pipeline.Workload;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.demo.DemoModel;
import dev.duet.demo.DemoWorker;
import dev.duet.demo.EmbeddedKafka;
import dev.duet.demo.ReplayPlan;
import dev.duet.demo.Topics;
import dev.duet.job.JobRunner;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.trainer.eval.Machine;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * {@code ./duet bench faults}: the job, the LLM workers and the Kafka broker as processes of their
 * own on 127.0.0.1, a steady stream, and the {@link Fault faults} in turn (issue 20). Per fault:
 * records in, out, lost, duplicated, fallbacks, how long the LLM route took to come back, and
 * whether a probe user's state survived. See docs/reliability.md.
 *
 * <p>Each phase: a probe user writes {@code probeHistory} interactions and, once their answers are
 * committed (so a checkpoint holding them has completed), a request with fixed candidates and time;
 * then the fault, its repair, the wait for the LLM route, the same request again (another id),
 * and a spell of steady stream. At the end the stream stops and every input must have its output,
 * with a quiet spell of a few checkpoints for late duplicates.
 */
public final class FaultSuite implements AutoCloseable {

    private static final String BASELINE = "baseline";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private final FaultSuiteSettings settings;
    private final PrintStream out;
    private final long startedNs = System.nanoTime();
    private final List<ChildProcess> workers = new ArrayList<>();
    private final int[] workerPorts;
    private ChildProcess broker;
    private ChildProcess job;
    private PacedStream stream;
    private OutputTail tail;
    private FaultLedger ledger;
    private List<String> catalogIds;
    private Path jobLogFile;
    private boolean closed;

    public FaultSuite(FaultSuiteSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
        this.workerPorts = new int[settings.workers];
    }

    /** Runs the suite, writes the reports and returns the faults' results and the problems. */
    public FaultSuiteResult run() throws Exception {
        Path dir = settings.out.toAbsolutePath();
        Path work = dir.resolve("work");
        Path logs = dir.resolve("logs");
        // A fresh broker and no old checkpoints: the first job start must not resume an earlier run.
        deleteTree(work);
        deleteTree(logs);
        Files.createDirectories(work);
        Files.createDirectories(logs.resolve("job"));
        jobLogFile = logs.resolve("job").resolve("job-log4j.log");
        String started = ZonedDateTime.now().withNano(0).toString();
        double loadBefore = loadAverage();

        SyntheticDatasetGenerator generator = new SyntheticDatasetGenerator(settings.synthetic);
        Dataset dataset = generator.generate();
        Path model = DemoModel.resolve(null, dir.resolve("model"), dataset, settings.synthetic.toString(), settings.training, out);
        List<String> catalog = ReplayPlan.catalogLines(dataset);
        Path catalogSeed = dir.resolve("catalog.jsonl");
        Files.write(catalogSeed, catalog, StandardCharsets.UTF_8);
        catalogIds = new ArrayList<>(dataset.items().keySet());
        catalogIds.sort(Comparator.naturalOrder());
        if (catalogIds.size() < settings.probeHistory + settings.candidates) {
            throw new IllegalArgumentException("the catalog has " + catalogIds.size() + " items; the probe user needs "
                    + (settings.probeHistory + settings.candidates));
        }
        Map<String, Integer> popularity = new HashMap<>();
        dataset.interactions().forEach(i -> popularity.merge(i.itemId(), 1, Integer::sum));

        int brokerPort = EmbeddedKafka.freePort();
        int controllerPort = EmbeddedKafka.freePort();
        String bootstrap = "127.0.0.1:" + brokerPort;
        // Broker, workers and job start side by side: each JVM's start-up takes seconds on a busy machine.
        log("starting the broker on " + bootstrap + " and " + settings.workers + " workers, each its own process...");
        broker = ChildProcess.java("broker", List.of("-Xmx" + settings.brokerHeap), BrokerMain.class.getName(),
                List.of(work.resolve("kafka").toString(), Integer.toString(brokerPort), Integer.toString(controllerPort)),
                logs.resolve("broker.log")).start();
        for (int i = 0; i < settings.workers; i++) {
            workerPorts[i] = EmbeddedKafka.freePort();
            workers.add(ChildProcess.java("worker-" + (i + 1), List.of("-Xmx" + settings.workerHeap), "dev.duet.worker.cli.Main",
                    List.of("worker", "--backend", "text-encoder", "--host", "127.0.0.1", "--port", Integer.toString(workerPorts[i]),
                            "--threads", "1"), logs.resolve("worker-" + (i + 1) + ".log")).start());
        }
        broker.awaitLine(BrokerMain.READY, START_TIMEOUT);
        createTopics(bootstrap);
        Path jobLogConfig = jobLogConfiguration(dir);
        job = ChildProcess.java("job", List.of("-Xmx" + settings.jobHeap, "-Dlog4j2.configurationFile=" + jobLogConfig,
                        "-Dlog.file=" + jobLogFile), "dev.duet.job.cli.Main",
                jobArguments(bootstrap, model, catalogSeed, work.resolve("checkpoints")), logs.resolve("job.log"));
        log("starting the job (its own process, checkpoints every " + settings.checkpointInterval.toMillis() + " ms)...");
        job.start();

        List<ScoreRequest> warmUp = DemoWorker.warmUpRequests(catalog, popularity);
        for (int i = 0; i < settings.workers; i++) {
            WorkerProbe.awaitServing(workerPorts[i], START_TIMEOUT);
            long t = System.nanoTime();
            // The catalog's encodings, once: the job's first hard samples must not time out on a cold cache.
            boolean warmed = WorkerProbe.call(workerPorts[i], warmUp, Duration.ofSeconds(30));
            log(String.format(Locale.ROOT, "worker %d serving on 127.0.0.1:%d (text encoder), catalog warm-up %s in %.1f s",
                    i + 1, workerPorts[i], warmed ? "done" : "FAILED", (System.nanoTime() - t) / 1e9));
        }
        job.awaitLine("dashboard at", START_TIMEOUT);

        ledger = new FaultLedger();
        tail = new OutputTail(bootstrap, ledger);
        tail.start();
        Workload workload = new Workload(dataset, settings.requestEvery, settings.candidates, settings.k, settings.seed);
        stream = new PacedStream(bootstrap, workload, settings.rate, ledger, BASELINE);
        stream.start();
        log(String.format(Locale.ROOT, "stream: %.0f events/s (a request after every %d interactions, %d candidates)",
                settings.rate, settings.requestEvery, settings.candidates));
        long streamStartMs = System.currentTimeMillis();
        OptionalLong firstLlm = awaitIngest(streamStartMs, "llm", START_TIMEOUT);
        log(firstLlm.isPresent() ? "the pipeline answers on route llm; steady stream for " + settings.steady.toSeconds() + " s"
                : "no answer on route llm within " + START_TIMEOUT.toSeconds() + " s of the stream's start");
        Thread.sleep(settings.steady.toMillis());

        List<FaultResult> results = new ArrayList<>();
        for (Fault fault : settings.faults) {
            results.add(runPhase(fault));
        }

        log("stopping the stream; waiting for every input's output...");
        stream.close();
        long drainDeadline = System.nanoTime() + settings.recoveryTimeout.toNanos() * 2;
        while (ledger.pending() > 0 && System.nanoTime() < drainDeadline) {
            Thread.sleep(500);
        }
        // A duplicate could only come with a later transaction: a quiet spell of a few checkpoints.
        Thread.sleep(3 * settings.checkpointInterval.toMillis() + 2000);
        tail.close();

        List<FaultResult> accounted = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        FaultLedger.Counts baseline = ledger.counts(BASELINE);
        if (baseline.lost() > 0 || baseline.duplicates() > 0) {
            problems.add("steady stream before the faults: " + baseline.lost() + " lost, " + baseline.duplicates() + " duplicated");
        }
        for (FaultResult r : results) {
            FaultResult done = withCounts(r, ledger.counts(r.fault().key));
            accounted.add(done);
            done.problems().forEach(p -> problems.add(r.fault().key + ": " + p));
        }
        if (stream.failures() > 0) {
            problems.add(stream.failures() + " inputs the broker refused (" + stream.firstFailure() + ")");
        }
        if (ledger.deadLetters() > 0) {
            problems.add(ledger.deadLetters() + " dead letters (the stream has no malformed record)");
        }
        if (ledger.unexpected() > 0) {
            problems.add(ledger.unexpected() + " outputs of no input of this run");
        }
        if (tail.failure() != null) {
            problems.add("the output reader failed: " + tail.failure());
        }

        Map<String, Object> context = new LinkedHashMap<>();
        context.put("command", settings.command);
        context.put("started", started);
        context.put("commit", commit());
        Map<String, Object> machine = Machine.describe();
        context.put("machine", machine.get("description"));
        context.put("load_average", String.format(Locale.ROOT, "%.1f to %.1f", loadBefore, loadAverage()));
        context.put("short", settings.shortRun);
        context.put("stream", String.format(Locale.ROOT, "%.0f events/s, synthetic data (%s), %d workers (text encoder),"
                        + " checkpoints every %d ms, workers-down outage %d s", settings.rate, settings.synthetic, settings.workers,
                settings.checkpointInterval.toMillis(), settings.outage.toSeconds()));
        context.put("job_options", settings.jobOptions);
        context.put("seconds", Math.round((System.nanoTime() - startedNs) / 1e9));
        context.put("max_llm_recovery_s", settings.maxRecoverySeconds);
        FaultReport.write(dir, context, baseline, accounted, problems);
        out.println();
        out.print(FaultReport.table(baseline, accounted));
        out.println("bench faults: reports in " + dir.resolve(FaultReport.JSON_FILE) + " and " + FaultReport.MARKDOWN_FILE
                + ", process logs in " + logs);
        return new FaultSuiteResult(baseline, accounted, problems);
    }

    private FaultResult runPhase(Fault fault) throws Exception {
        out.println();
        log("fault " + fault.key + ": " + fault.description);
        stream.phase(fault.key);
        String probeUser = OutputTail.PROBE_PREFIX + fault.key;
        List<String> history = catalogIds.subList(0, settings.probeHistory);
        long probeTime = stream.eventTimeMs();
        List<CompletableFuture<String>> keys = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            String json = "{\"user\":\"" + probeUser + "\",\"item\":\"" + history.get(i) + "\",\"rating\":" + (3 + i % 3)
                    + ",\"timestamp\":" + (probeTime + i) + "}";
            keys.add(stream.add(false, probeUser, json, null));
        }
        List<String> problems = new ArrayList<>();
        // Answers committed: a checkpoint that holds the probe's history has completed.
        long deadline = System.nanoTime() + settings.recoveryTimeout.toNanos();
        for (CompletableFuture<String> key : keys) {
            String k = key.get(settings.recoveryTimeout.toMillis(), TimeUnit.MILLISECONDS);
            while (!ledger.answered(k) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
        List<String> candidates = catalogIds.subList(settings.probeHistory, settings.probeHistory + settings.candidates);
        JsonNode before = probe(probeUser, "before", candidates, probeTime + 60_000);

        long faultAtMs = System.currentTimeMillis();
        long[] servingMs = new long[workerPorts.length];
        long repairedMs;
        String recoveryFrom;
        String resumedFrom = null;
        switch (fault) {
            case WORKER_RESTART -> {
                workers.get(0).kill();
                log("  worker 1 killed; starting it again");
                workers.get(0).start();
                repairedMs = WorkerProbe.awaitServing(workerPorts[0], START_TIMEOUT);
                servingMs[0] = repairedMs;
                recoveryFrom = "worker 1 serving again";
            }
            case WORKERS_DOWN -> {
                for (ChildProcess w : workers) {
                    w.kill();
                }
                log("  all " + workers.size() + " workers killed; down for " + settings.outage.toSeconds() + " s");
                Thread.sleep(settings.outage.toMillis());
                for (ChildProcess w : workers) {
                    w.start();
                }
                repairedMs = awaitAnyWorker();
                recoveryFrom = "the first worker serving again";
                for (int i = 0; i < workerPorts.length; i++) {
                    servingMs[i] = WorkerProbe.awaitServing(workerPorts[i], START_TIMEOUT);
                }
            }
            case JOB_CRASH -> {
                job.kill();
                log("  job killed (SIGKILL); starting it again with the same command");
                long restartMs = System.currentTimeMillis();
                job.start();
                job.awaitLine("dashboard at", START_TIMEOUT);
                resumedFrom = job.findLine("Resuming from checkpoint");
                if (resumedFrom == null) {
                    problems.add("the restarted job did not resume from a checkpoint; its log says: "
                            + job.findLine("checkpoint"));
                } else {
                    log("  " + resumedFrom.trim());
                }
                repairedMs = awaitIngest(restartMs, null, settings.recoveryTimeout).orElse(Long.MIN_VALUE);
                recoveryFrom = "the restarted job ingesting again";
            }
            case BROKER_RESTART -> {
                broker.stop(Duration.ofSeconds(60));
                log("  broker stopped; starting it again on the same port and data");
                broker.start();
                broker.awaitLine(BrokerMain.READY, START_TIMEOUT);
                long backMs = System.currentTimeMillis();
                repairedMs = awaitIngest(backMs, null, settings.recoveryTimeout).orElse(Long.MIN_VALUE);
                recoveryFrom = "the job ingesting again after the broker's restart";
            }
            default -> throw new IllegalStateException("unknown fault " + fault);
        }
        Double recovery = null;
        double repairSeconds = Double.NaN;
        if (repairedMs == Long.MIN_VALUE) {
            problems.add("the job ingested nothing within " + settings.recoveryTimeout.toSeconds() + " s of the repair");
        } else {
            repairSeconds = (repairedMs - faultAtMs) / 1e3;
            OptionalLong llm = awaitIngest(repairedMs, "llm", settings.recoveryTimeout);
            if (llm.isPresent()) {
                recovery = (llm.getAsLong() - repairedMs) / 1e3;
            } else {
                problems.add("no answer on route llm within " + settings.recoveryTimeout.toSeconds() + " s of " + recoveryFrom);
            }
        }
        log(String.format(Locale.ROOT, "  repaired after %.1f s; LLM route back %s after %s", repairSeconds,
                recovery == null ? "(not)" : String.format(Locale.ROOT, "%.2f s", recovery), recoveryFrom));
        if (recovery != null && recovery > settings.maxRecoverySeconds) {
            problems.add(String.format(Locale.ROOT, "LLM recovery took %.2f s, more than %.0f s", recovery, settings.maxRecoverySeconds));
        }

        JsonNode after = probe(probeUser, "after", candidates, probeTime + 60_000);
        long interactionsBefore = before == null ? -1 : before.path("user_interactions").asLong(-1);
        long interactionsAfter = after == null ? -1 : after.path("user_interactions").asLong(-1);
        double scoreDifference = scoreDifference(before, after);
        boolean survived = interactionsBefore == settings.probeHistory && interactionsAfter == interactionsBefore
                && scoreDifference <= 1e-4;
        if (!survived) {
            problems.add(String.format(Locale.ROOT, "the probe user's state did not survive: user_interactions %d before,"
                    + " %d after (history of %d), CRM scores differ by %s", interactionsBefore, interactionsAfter,
                    settings.probeHistory, Double.isFinite(scoreDifference) ? String.format(Locale.ROOT, "%.3g", scoreDifference) : "n/a"));
        }
        log("  probe user: user_interactions " + interactionsBefore + " before, " + interactionsAfter + " after; state "
                + (survived ? "survived" : "NOT survived"));
        Thread.sleep(settings.steady.toMillis());
        Double breakersClosed = null;
        if (fault == Fault.WORKER_RESTART || fault == Fault.WORKERS_DOWN) {
            // Per restarted worker, from its own serving again to its breakers' last first closing.
            for (int i = 0; i < (fault == Fault.WORKER_RESTART ? 1 : workerPorts.length); i++) {
                OptionalLong closed = BreakerLog.allClosedAfter(jobLogFile, List.of("127.0.0.1:" + workerPorts[i]), faultAtMs);
                if (closed.isPresent()) {
                    double seconds = (closed.getAsLong() - servingMs[i]) / 1e3;
                    breakersClosed = breakersClosed == null ? seconds : Math.max(breakersClosed, seconds);
                }
            }
            if (breakersClosed != null) {
                log(String.format(Locale.ROOT, "  every breaker that opened for a restarted worker closed at most %.2f s after"
                        + " that worker served again", breakersClosed));
            }
        }
        return new FaultResult(fault, null, recovery, recoveryFrom, repairSeconds, breakersClosed, survived, interactionsBefore,
                interactionsAfter, scoreDifference, resumedFrom, problems);
    }

    /** Sends the probe request and waits for its answer; null when none came in time. */
    private JsonNode probe(String user, String when, List<String> candidates, long timeMs) throws InterruptedException {
        String id = user + "-" + when;
        StringBuilder json = new StringBuilder("{\"request_id\":\"").append(id).append("\",\"user\":\"").append(user)
                .append("\",\"candidates\":[");
        for (int i = 0; i < candidates.size(); i++) {
            json.append(i > 0 ? "," : "").append('"').append(candidates.get(i)).append('"');
        }
        json.append("],\"k\":").append(candidates.size()).append(",\"timestamp\":").append(timeMs).append('}');
        stream.add(true, user, json.toString(), id);
        long deadline = System.nanoTime() + settings.recoveryTimeout.toNanos();
        while (tail.probe(id) == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return tail.probe(id);
    }

    /** Largest difference of the CRM score of one item between the two answers; NaN when not comparable. */
    static double scoreDifference(JsonNode before, JsonNode after) {
        if (before == null || after == null) {
            return Double.NaN;
        }
        Map<String, Double> a = crmScores(before);
        Map<String, Double> b = crmScores(after);
        if (a.isEmpty() || !a.keySet().equals(b.keySet())) {
            return Double.NaN;
        }
        double max = 0;
        for (Map.Entry<String, Double> e : a.entrySet()) {
            max = Math.max(max, Math.abs(e.getValue() - b.get(e.getKey())));
        }
        return max;
    }

    private static Map<String, Double> crmScores(JsonNode answer) {
        Map<String, Double> m = new HashMap<>();
        JsonNode items = answer.path("items");
        JsonNode scores = answer.path("crm_scores");
        for (int i = 0; i < items.size() && i < scores.size(); i++) {
            m.put(items.get(i).asText(), scores.get(i).asDouble());
        }
        return m;
    }

    /** Polls every worker until one answers; its time. */
    private long awaitAnyWorker() throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (int port : workerPorts) {
                if (WorkerProbe.serves(port, Duration.ofSeconds(2))) {
                    return System.currentTimeMillis();
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no worker served within " + START_TIMEOUT.toSeconds() + " s of its restart");
    }

    /** Waits for an output of an input ingested at or after {@code fromMs} on {@code route} (null: any). */
    private OptionalLong awaitIngest(long fromMs, String route, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            OptionalLong t = ledger.firstIngestAtOrAfter(fromMs, route);
            if (t.isPresent()) {
                // Outputs become visible per checkpoint and partition: one more interval for an earlier one.
                Thread.sleep(settings.checkpointInterval.toMillis() + 500);
                return ledger.firstIngestAtOrAfter(fromMs, route);
            }
            Thread.sleep(100);
        }
        return OptionalLong.empty();
    }

    private static FaultResult withCounts(FaultResult r, FaultLedger.Counts c) {
        List<String> problems = new ArrayList<>();
        if (c.lost() > 0) {
            problems.add(c.lost() + " lost");
        }
        if (c.duplicates() > 0) {
            problems.add(c.duplicates() + " duplicated");
        }
        problems.addAll(r.problems());
        return new FaultResult(r.fault(), c, r.llmRecoverySeconds(), r.recoveryFrom(), r.repairSeconds(),
                r.breakersClosedSeconds(), r.stateSurvived(),
                r.probeInteractionsBefore(), r.probeInteractionsAfter(), r.probeMaxScoreDifference(), r.resumedFrom(), problems);
    }

    private List<String> jobArguments(String bootstrap, Path model, Path catalogSeed, Path checkpoints) throws IOException {
        StringBuilder workerList = new StringBuilder();
        for (int port : workerPorts) {
            workerList.append(workerList.length() > 0 ? "," : "").append("127.0.0.1:").append(port);
        }
        List<String> args = new ArrayList<>(List.of("job", "--bootstrap", bootstrap, "--workers", workerList.toString(),
                "--model", model.toString(), "--catalog", catalogSeed.toString(), "--parallelism", "2",
                "--checkpoint-interval", settings.checkpointInterval.toMillis() + " ms",
                "--job.checkpoint-dir", checkpoints.toUri().toString(),
                "--web-port", Integer.toString(EmbeddedKafka.freePort()),
                "--kafka.group-id", "duet-faults", "--kafka.transactional-id-prefix", "duet-faults"));
        settings.jobOptions.forEach((key, value) -> {
            args.add("--" + key);
            args.add(value);
        });
        return args;
    }

    /** The logging ./duet job runs with (the job module's log4j2.properties), not this module's. */
    private static Path jobLogConfiguration(Path dir) throws IOException {
        URL source = JobRunner.class.getProtectionDomain().getCodeSource().getLocation();
        URL config = source.getPath().endsWith(".jar") ? new URL("jar:" + source + "!/log4j2.properties")
                : new URL(source, "log4j2.properties");
        Path file = dir.resolve("job-log4j2.properties");
        try (InputStream in = config.openStream()) {
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    private static void createTopics(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(p)) {
            List<NewTopic> topics = new ArrayList<>();
            for (String t : Topics.all()) {
                topics.add(new NewTopic(t, Topics.PARTITIONS, (short) 1).configs(Map.of("retention.ms", "-1")));
            }
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    private static String commit() {
        try {
            String home = System.getProperty("duet.home", ".");
            Process git = new ProcessBuilder("git", "-C", home, "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String hash = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return git.waitFor() == 0 && hash.matches("[0-9a-f]{6,40}") ? hash : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private void log(String line) {
        out.printf(Locale.ROOT, "[%4ds] %s%n", Math.round((System.nanoTime() - startedNs) / 1e9), line);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Kills every process the suite started (idempotent; the command's shutdown hook calls it too). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (stream != null) {
                stream.close();
            }
            if (tail != null) {
                tail.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (job != null) {
            job.close();
        }
        workers.forEach(ChildProcess::close);
        if (broker != null) {
            broker.close();
        }
    }
}
