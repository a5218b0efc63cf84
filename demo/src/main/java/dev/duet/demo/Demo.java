package dev.duet.demo;

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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code ./duet demo}: an in-process Kafka broker, LLM worker and streaming job (MiniCluster with
 * the dashboard) on 127.0.0.1; a CRM trained on the spot unless one is given; the data's test
 * period replayed into the input topics at a set rate; the output read back with read_committed
 * and every input accounted for. {@link #run()} returns when all inputs are accounted for or the
 * timeout passes; {@link #close()} (also from a shutdown hook) stops everything it started.
 */
public final class Demo implements AutoCloseable {

    private final DemoSettings settings;
    private final PrintStream out;
    private final Ledger ledger = new Ledger();
    private final LiveStats stats = new LiveStats();
    private final RankingHits rankingHits = new RankingHits();

    private EmbeddedKafka kafka;
    private LlmWorker worker;
    private DemoJob job;
    private OutputReader reader;
    private Replayer replayer;
    private ScheduledExecutorService progress;
    private Path checkpoints;
    private boolean closed;

    /** The LLM backend's --model: as given, or the demo's trained scorer folder. */
    private String llmModel;

    public Demo(DemoSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
        this.llmModel = settings.llmModel;
    }

    /** Runs the demo to its end (see the class comment) and writes the reports. */
    public DemoResult run() throws Exception {
        long started = System.nanoTime();
        Map<String, Double> seconds = new LinkedHashMap<>();
        Files.createDirectories(settings.out);

        Dataset dataset = settings.data != null ? Datasets.load(settings.data)
                : new SyntheticDatasetGenerator(settings.synthetic).generate();
        String dataDescription = settings.data != null ? settings.data.toAbsolutePath().normalize().toString()
                : settings.synthetic.toString();
        ReplayPlan plan = ReplayPlan.of(dataset, settings.events, settings.requestEvery, settings.candidates, settings.k,
                settings.retrievalShare, settings.badRecords, settings.seed);
        long t = System.nanoTime();
        Path model = DemoModel.resolve(settings.model, settings.modelCache, dataset, dataDescription, settings.training, out);
        Path sequenceModel = DemoSequenceModel.resolve(settings.sequenceModel, settings.trainSequenceModel,
                settings.modelCache.resolve("sequence"), dataset, dataDescription, out);
        seconds.put("model", (System.nanoTime() - t) / 1e9);
        if (settings.llm == DemoSettings.LlmBackend.TRAINED) {
            t = System.nanoTime();
            llmModel = DemoScorer.resolve(settings.llmModel, settings.modelCache.resolve("scorer"), dataset,
                    dataDescription, model, out).toString();
            seconds.put("scorer", (System.nanoTime() - t) / 1e9);
        }

        t = System.nanoTime();
        startServices(dataset, model, sequenceModel);
        seconds.put("startup", (System.nanoTime() - t) / 1e9);
        out.printf("duet demo: replaying %,d interactions (%,d of them the test period of %s) + %,d requests + %d malformed"
                        + " records at %,.0f events/s%n", plan.interactions(), plan.testPeriodInteractions(), dataset.name(),
                plan.requests(), plan.bad(), settings.rate);

        t = System.nanoTime();
        long replayStartMs = System.currentTimeMillis();
        SubtaskWindows windows = new SubtaskWindows(settings.parallelism, SubtaskWindows.defaultMaxParallelism(settings.parallelism));
        reader = new OutputReader(kafka.bootstrap(), ledger, stats, rankingHits, windows);
        reader.start();
        replayer = new Replayer(kafka.producerProperties(), plan.records(), settings.rate, settings.requestDelay, ledger);
        replayer.start();
        progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "duet-demo-progress");
            th.setDaemon(true);
            return th;
        });
        long every = settings.progressEvery.toMillis();
        progress.scheduleAtFixedRate(() -> printProgress(plan, started), every, every, TimeUnit.MILLISECONDS);

        boolean timedOut = !awaitAccounted(plan, System.nanoTime() + settings.timeout.toNanos());
        seconds.put("replay", replayer.seconds());
        seconds.put("until_accounted", (System.nanoTime() - t) / 1e9);
        seconds.put("total", (System.nanoTime() - started) / 1e9);
        if (!settings.keepRunning) {
            progress.shutdownNow();
        }

        // The dashboard's live AUC per route must say what the outputs say (issue 20): read it the
        // way the dashboard does, once every input is accounted for.
        DashboardAgreement.Result dashboard = timedOut ? null : DashboardAgreement.check(
                new DashboardMetrics(job.dashboardUrl()), job.jobId(), windows, JobOptions.METRICS_WINDOW.defaultValue(), 45_000);
        LiveStats.Snapshot snapshot = stats.snapshot();
        Ledger.Accounts accounts = ledger.accounts();
        double allowance = JobOptions.BUDGET_BURST.defaultValue() * settings.parallelism;
        double outputSeconds = Math.max(1e-3, (snapshot.lastOutputMs() - replayStartMs) / 1e3);
        List<String> problems = new ArrayList<>(DemoResult.problems(plan, accounts, snapshot, ledger.outputCount(),
                ledger.deadLetterCount(), settings.budgetShare, allowance, timedOut));
        if (dashboard != null) {
            problems.addAll(dashboard.problems());
        }
        DemoResult result = new DemoResult(plan, accounts, snapshot, rankingHits.figures(), dashboard, sequenceModel,
                ledger.outputCount(), ledger.deadLetterCount(),
                settings.budgetShare, allowance, settings.rate, ledger.outputCount() / outputSeconds, seconds,
                dataDescription, model, DemoWorker.describe(settings.llm, llmModel), Machine.describe(),
                job.dashboardUrl(), timedOut, problems);
        DemoReport.write(settings.out, result);
        printSummary(result);
        return result;
    }

    private void startServices(Dataset dataset, Path model, Path sequenceModel) throws Exception {
        out.println("duet demo: starting the Kafka broker on 127.0.0.1...");
        kafka = EmbeddedKafka.start();
        kafka.createTopics(Topics.PARTITIONS, Topics.all());
        List<String> catalog = ReplayPlan.catalogLines(dataset);
        produceCatalog(catalog);
        Path seed = settings.out.resolve("catalog.jsonl");
        Files.write(seed, catalog, StandardCharsets.UTF_8);

        out.println("duet demo: starting the LLM worker: " + DemoWorker.describe(settings.llm, llmModel) + "...");
        if (settings.calibration != null) {
            out.println("duet demo: routing gate, thresholds and head from " + settings.calibration.toAbsolutePath());
        }
        worker = DemoWorker.start(settings.llm, llmModel, settings.llmThreads, settings.calibration);
        long warm = System.nanoTime();
        Map<String, Integer> popularity = new java.util.HashMap<>();
        dataset.interactions().forEach(i -> popularity.merge(i.itemId(), 1, Integer::sum));
        int warmed = DemoWorker.warmUp(worker, catalog, popularity, settings.warmUp);
        out.printf("duet demo: LLM worker warmed up on %,d of %,d catalog items in %.1f s%n", warmed, catalog.size(),
                (System.nanoTime() - warm) / 1e9);

        int port = DemoJob.choosePort(settings.dashboardPort);
        if (settings.dashboardPort != 0 && port != settings.dashboardPort) {
            out.println("duet demo: port " + settings.dashboardPort + " is taken; the Flink dashboard moves to port " + port
                    + " (choose one with --dashboard-port)");
        }
        checkpoints = Files.createTempDirectory("duet-demo-checkpoints");
        out.println("duet demo: starting the job on a MiniCluster...");
        job = DemoJob.start(DemoJob.options(kafka.bootstrap(), worker.port(), model, sequenceModel, seed, checkpoints, settings, port));
        // Replaying before the job runs would measure its start-up as latency and throughput.
        job.awaitRunning(Duration.ofSeconds(120));
        out.println("duet demo: Kafka " + kafka.bootstrap() + ", LLM worker 127.0.0.1:" + worker.port()
                + ", Flink dashboard " + job.dashboardUrl()
                + (System.getProperty("log.file") == null ? "" : ", job log " + System.getProperty("log.file")));
    }

    /** Writes the catalog to the items topic too, so that it is there for anyone exploring the topics. */
    private void produceCatalog(List<String> catalog) throws Exception {
        // The one-request-in-flight settings: the items topic was just created.
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProperties())) {
            List<Future<?>> sent = new ArrayList<>();
            for (String line : catalog) {
                sent.add(producer.send(new ProducerRecord<>(Topics.ITEMS, line.getBytes(StandardCharsets.UTF_8))));
            }
            producer.flush();
            for (Future<?> f : sent) {
                f.get(); // a catalog record the broker refused fails the demo here
            }
        }
    }

    /**
     * Waits until the replay is acknowledged and every input has its output, then a quiet spell of
     * two checkpoints more (a duplicate could only come with a later transaction). Returns false
     * on timeout; throws when a part of the demo failed.
     */
    private boolean awaitAccounted(ReplayPlan plan, long deadlineNs) throws Exception {
        long quietNs = 2 * settings.checkpointInterval.toNanos() + 1_000_000_000L;
        while (System.nanoTime() < deadlineNs) {
            checkHealth();
            if (replayer.finished() && ledger.sentCount() == plan.records().size() && ledger.accounts().lost() == 0) {
                Thread.sleep(quietNs / 1_000_000);
                checkHealth();
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    private void checkHealth() {
        fail("the replay into Kafka", replayer.failure());
        fail("the output reader", reader.failure());
        fail("the job", job.failure());
    }

    private static void fail(String what, Throwable t) {
        if (t != null) {
            throw new IllegalStateException(what + " failed: " + t.getMessage(), t);
        }
    }

    private void printProgress(ReplayPlan plan, long startedNs) {
        try {
            LiveStats.Snapshot s = stats.snapshot();
            LiveStats.RouteFigures llm = s.routes().get("llm");
            out.printf("[%4.0fs] in %,d/%,d | out %,d | dead letters %d/%d | LLM %.1f %% (fallbacks %d) | AUC all %s crm %s llm %s"
                            + " | latency ms p50 %s p99 %s (llm p50 %s p99 %s)%n",
                    (System.nanoTime() - startedNs) / 1e9, replayer.written(), plan.records().size(), ledger.outputCount(),
                    ledger.deadLetterCount(), plan.bad(), 100 * s.routedShare(), s.routes().get("fallback").count(),
                    DemoReport.fmt(s.overall().auc()), DemoReport.fmt(s.routes().get("crm").auc()), DemoReport.fmt(llm.auc()),
                    DemoReport.fmt0(s.overall().latencyQuantile(0.5)), DemoReport.fmt0(s.overall().latencyQuantile(0.99)),
                    DemoReport.fmt0(llm.latencyQuantile(0.5)), DemoReport.fmt0(llm.latencyQuantile(0.99)));
        } catch (RuntimeException e) {
            out.println("duet demo: progress: " + e);
        }
    }

    private void printSummary(DemoResult r) {
        Ledger.Accounts a = r.accounts();
        LiveStats.Snapshot s = r.stats();
        out.println();
        out.println("duet demo: summary (" + r.machine().get("description") + ")");
        out.printf("  inputs       %,d interactions + %,d requests + %d malformed, %,d acknowledged%n",
                r.plan().interactions(), r.plan().requests(), r.plan().bad(), a.inputs());
        out.printf("  records out  %,d (lost %d, duplicates %d), dead letters %d of %d injected%n", r.recordsOut(), a.lost(),
                a.duplicates(), r.deadLetters(), r.plan().bad());
        out.printf("  routed       %.2f %% to the LLM (budget %.0f %%), fallbacks %d%n", 100 * s.routedShare(),
                100 * r.budgetShare(), s.routes().get("fallback").count());
        out.printf("  AUC          overall %s, crm %s, llm %s (the CRM alone on those samples: %s), fallback %s%n",
                DemoReport.fmt(s.overall().auc()), DemoReport.fmt(s.routes().get("crm").auc()),
                DemoReport.fmt(s.routes().get("llm").auc()), DemoReport.fmt(s.routes().get("llm").crmAuc()),
                DemoReport.fmt(s.routes().get("fallback").auc()));
        for (String route : LiveStats.ROUTES) {
            LiveStats.RouteFigures f = s.routes().get(route);
            out.printf("  latency %-8s p50 %s ms, p99 %s ms (%,d records)%n", route, DemoReport.fmt0(f.latencyQuantile(0.5)),
                    DemoReport.fmt0(f.latencyQuantile(0.99)), f.count());
        }
        if (!s.fallbackReasons().isEmpty()) {
            out.println("  fallback reasons " + s.fallbackReasons());
        }
        RankingHits.Figures h = r.ranking();
        out.printf("  hit@%d       sent lists: sequence %s (%,d), popularity %s (%,d), request %s (%,d)%n", h.k(),
                DemoReport.fmt(h.sentBySource().get("sequence").rate()), h.sentBySource().get("sequence").interactions(),
                DemoReport.fmt(h.sentBySource().get("popularity").rate()), h.sentBySource().get("popularity").interactions(),
                DemoReport.fmt(h.sentBySource().get("request").rate()), h.sentBySource().get("request").interactions());
        out.printf("  retrieval    requests by source %s; hit@%d on the same %,d interactions: sequence model %s, popularity %s%n",
                h.requestsBySource(), h.k(),
                h.sequenceRetrieved().interactions(), DemoReport.fmt(h.sequenceRetrieved().rate()),
                DemoReport.fmt(h.popularityShadow().rate()));
        out.printf("  throughput   %,.0f events/s (asked %,.0f)%n", r.throughputEps(), r.rate());
        out.println("  reports      " + settings.out.resolve(DemoReport.JSON_FILE) + ", " + DemoReport.MARKDOWN_FILE + ", "
                + DemoReport.LATENCY_CHART + ", " + DemoReport.AUC_CHART);
        out.println(r.ok() ? "duet demo: OK, every input accounted for" : "duet demo: FAILED: " + String.join("; ", r.problems()));
    }

    /** For --keep-running: where a user finds everything. */
    public void printEndpoints() {
        out.println();
        out.println("duet demo: still running (Ctrl-C stops everything)");
        out.println("  Kafka bootstrap  " + kafka.bootstrap());
        out.println("  topics           in: " + Topics.INTERACTIONS + ", " + Topics.REQUESTS + ", " + Topics.ITEMS + ", "
                + Topics.CONTROL + "; out: " + Topics.RECOMMENDATIONS + ", " + Topics.DEAD_LETTERS);
        out.println("  Flink dashboard  " + job.dashboardUrl());
        out.println("  LLM worker       127.0.0.1:" + worker.port());
        out.println("  e.g. echo '{\"user\":\"1\",\"item\":\"50\",\"rating\":5,\"timestamp\":1700000000000}' | "
                + "kafka-console-producer.sh --bootstrap-server " + kafka.bootstrap() + " --topic " + Topics.INTERACTIONS);
    }

    /** Stops everything this demo started, newest first; safe to call twice and from a shutdown hook. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> errors = new ArrayList<>();
        if (progress != null) {
            progress.shutdownNow();
        }
        quietly("replayer", replayer, errors);
        quietly("job", job, errors);
        quietly("output reader", reader, errors);
        quietly("LLM worker", worker, errors);
        quietly("Kafka broker", kafka, errors);
        if (checkpoints != null) {
            deleteTree(checkpoints);
        }
        if (!errors.isEmpty()) {
            out.println("duet demo: while shutting down: " + String.join("; ", errors));
        }
    }

    private static void quietly(String what, AutoCloseable c, List<String> errors) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            errors.add(what + ": " + e.getMessage());
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp folder left behind is harmless.
        }
    }
}
