package dev.duet.worker.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.proto.v1.LlmScorerGrpc;
import dev.duet.proto.v1.ScoreBatchReply;
import dev.duet.proto.v1.ScoreBatchRequest;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.worker.InvalidRequestException;
import dev.duet.worker.LlmWorker;
import dev.duet.worker.ScoringBackend;
import dev.duet.worker.WorkerConfig;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench worker}: throughput and latency of a real worker over gRPC on 127.0.0.1 against
 * max batch size and max wait, for the local backends. A closed loop keeps a fixed number of
 * single-request Score calls in flight; each setting gets a warm-up, then a timed window.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Worker requests/second and p50/p99 latency against max batch and max wait.")
final class BenchWorkerCommand implements Callable<Integer> {

    @Option(names = "--backends", split = ",", defaultValue = "causal-lm,text-encoder",
            description = "Backends to measure (causal-lm, text-encoder, trained). Default: ${DEFAULT-VALUE}.")
    List<String> backends;

    @Option(names = "--causal-model",
            description = "causal-lm model folder. Default: <shared>/models/stories260k.")
    Path causalModel;

    @Option(names = "--scorer",
            description = "trained backend: the folder ./duet train-llm wrote.")
    Path scorer;

    @Option(names = "--encoder", defaultValue = "all-minilm-l6-v2",
            description = "text-encoder model. Default: ${DEFAULT-VALUE}.")
    String encoder;

    @Option(names = "--cache-size", defaultValue = "1",
            description = "text-encoder embedding cache; 1 (default) measures the model, not"
                    + " the cache.")
    int cacheSize;

    @Option(names = "--items", description = "MovieLens u.item. Default: <shared>/data/ml-100k/u.item.")
    Path items;

    @Option(names = "--max-batch", split = ",", defaultValue = "1,8,32",
            description = "Max batch sizes. Default: ${DEFAULT-VALUE}.")
    int[] maxBatches;

    @Option(names = "--max-wait-ms", split = ",", defaultValue = "2,10",
            description = "Max waits. Default: ${DEFAULT-VALUE}.")
    long[] maxWaits;

    @Option(names = "--concurrency", defaultValue = "0",
            description = "Calls in flight; 0 (default) keeps two full batches in flight:"
                    + " max(4, 2 x max batch).")
    int concurrency;

    @Option(names = "--history", defaultValue = "10",
            description = "History items per request. Default: ${DEFAULT-VALUE}.")
    int history;

    @Option(names = "--warmup-s", defaultValue = "3", description = "Default: ${DEFAULT-VALUE}.")
    double warmupSeconds;

    @Option(names = "--measure-s", defaultValue = "8", description = "Default: ${DEFAULT-VALUE}.")
    double measureSeconds;

    @Option(names = "--repeats", defaultValue = "3",
            description = "Timed runs per setting; the median-throughput run is reported."
                    + " Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--threads", defaultValue = "0",
            description = "ONNX Runtime intra-op threads (0: its choice).")
    int threads;

    @Option(names = "--out", defaultValue = "target/bench-worker",
            description = "Folder for results.json and results.md. Default: ${DEFAULT-VALUE}.")
    Path out;

    record Result(String backend, int maxBatch, long maxWaitMs, int inFlight, double rps,
            double p50Ms, double p99Ms, double meanBatch, long requests, long errors,
            double requestsPerCpuSecond, double loadAverage) {}

    @Override
    public Integer call() throws Exception {
        Path shared = sharedRoot();
        Path itemFile = items != null ? items : shared.resolve("data/ml-100k/u.item");
        List<ScoreRequest> traffic = BenchRequests.requests(BenchRequests.items(itemFile), 2000,
                history, 42);
        List<Result> results = new ArrayList<>();
        for (String name : backends) {
            BackendOptions options = new BackendOptions();
            options.backend = name;
            options.model = name.equals("causal-lm")
                    ? (causalModel != null ? causalModel
                            : shared.resolve("models/stories260k")).toString()
                    : name.equals("trained") ? (scorer == null ? null : scorer.toString()) : encoder;
            options.device = "cpu";
            options.threads = threads;
            options.answers = new String[] {" yes", " no"};
            options.cacheSize = cacheSize;
            options.maxTitleChars = 200;
            options.maxTextChars = 300;
            options.maxHistory = 20;
            options.maxCandidates = 100;
            try (ScoringBackend backend = options.create()) {
                // Repetitions go round all settings in turn, so that a slow spell on a shared
                // machine hits every setting alike instead of one of them.
                List<List<Result>> runs = new ArrayList<>();
                for (int rep = 0; rep < repeats; rep++) {
                    int k = 0;
                    for (int maxBatch : maxBatches) {
                        for (long maxWait : maxWaits) {
                            if (rep == 0) {
                                runs.add(new ArrayList<>());
                            }
                            Result r = measure(name, new Shared(backend), maxBatch, maxWait,
                                    traffic);
                            runs.get(k++).add(r);
                            System.err.printf(Locale.ROOT,
                                    "%-13s run %d batch %3d wait %3d ms: %8.1f req/s  %6.1f req/cpu-s"
                                            + "  p50 %7.1f ms  p99 %7.1f ms  mean batch %5.1f"
                                            + "  errors %d  load %.1f%n",
                                    r.backend, rep + 1, r.maxBatch, r.maxWaitMs, r.rps,
                                    r.requestsPerCpuSecond, r.p50Ms, r.p99Ms, r.meanBatch,
                                    r.errors, r.loadAverage);
                        }
                    }
                }
                for (List<Result> setting : runs) {
                    results.add(median(setting));
                }
            }
        }
        write(results);
        return 0;
    }

    private Result measure(String name, ScoringBackend backend, int maxBatch, long maxWaitMs,
            List<ScoreRequest> traffic) throws Exception {
        int inFlight = concurrency > 0 ? concurrency : Math.max(4, 2 * maxBatch);
        WorkerConfig config = WorkerConfig.builder().port(0).maxBatch(maxBatch)
                .maxWait(Duration.ofMillis(maxWaitMs)).queueCapacity(Math.max(1024, inFlight * 2))
                .build();
        try (LlmWorker worker = LlmWorker.start(config, backend)) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", worker.port())
                    .usePlaintext().build();
            try {
                Loop loop = new Loop(LlmScorerGrpc.newStub(channel), traffic, inFlight);
                loop.start();
                Thread.sleep((long) (warmupSeconds * 1000));
                loop.record.set(true);
                long cpuStart = processCpuNanos();
                long start = System.nanoTime();
                // Replies come in whole batches, so a window must span many of them or the
                // count is coarse: at least the set time and 8 batches' worth of replies.
                long minReplies = 8L * maxBatch;
                long limit = start + (long) (Math.max(60, 6 * measureSeconds) * 1e9);
                while (System.nanoTime() < limit
                        && (System.nanoTime() - start < measureSeconds * 1e9
                                || loop.count() < minReplies)) {
                    Thread.sleep(5);
                }
                loop.record.set(false);
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
                double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage();
                loop.stop();
                long[] lat = loop.latencies();
                Arrays.sort(lat);
                return new Result(name, maxBatch, maxWaitMs, inFlight, lat.length / seconds,
                        percentile(lat, 0.50), percentile(lat, 0.99),
                        loop.batchSizes.get() / (double) Math.max(1, loop.batchCount.get()),
                        lat.length, loop.errors.get(), lat.length / cpuSeconds, load);
            } finally {
                channel.shutdownNow();
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** The run with the median throughput stands for the setting; all runs are in the JSON. */
    private Result median(List<Result> runs) {
        List<Result> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingDouble(Result::rps));
        Result m = sorted.get(sorted.size() / 2);
        allRuns.addAll(runs);
        return m;
    }

    private final List<Result> allRuns = new ArrayList<>();

    /**
     * CPU time of this process (worker and client threads). Requests per CPU-second stay
     * comparable when other work shares the machine, where requests per wall-second do not.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }

    /** Keeps {@code concurrency} unary calls in flight; records latencies while asked to. */
    private static final class Loop {
        private final LlmScorerGrpc.LlmScorerStub stub;
        private final List<ScoreRequest> traffic;
        private final int concurrency;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicBoolean record = new AtomicBoolean();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong batchSizes = new AtomicLong();
        final AtomicLong batchCount = new AtomicLong();
        private final List<Long> latencies = new ArrayList<>();
        private final CountDownLatch stopped;

        Loop(LlmScorerGrpc.LlmScorerStub stub, List<ScoreRequest> traffic, int concurrency) {
            this.stub = stub;
            this.traffic = traffic;
            this.concurrency = concurrency;
            this.stopped = new CountDownLatch(concurrency);
        }

        void start() {
            for (int i = 0; i < concurrency; i++) {
                send();
            }
        }

        private void send() {
            if (!running.get()) {
                stopped.countDown();
                return;
            }
            ScoreRequest r = traffic.get(Math.floorMod(next.getAndIncrement(), traffic.size()));
            long start = System.nanoTime();
            stub.withDeadlineAfter(60, TimeUnit.SECONDS).score(
                    ScoreBatchRequest.newBuilder().addRequests(r).build(), new StreamObserver<>() {
                        @Override
                        public void onNext(ScoreBatchReply reply) {
                            if (record.get()) {
                                synchronized (latencies) {
                                    latencies.add(System.nanoTime() - start);
                                }
                                batchSizes.addAndGet(reply.getReplies(0).getTimings().getBatchSize());
                                batchCount.incrementAndGet();
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            errors.incrementAndGet();
                            send();
                        }

                        @Override
                        public void onCompleted() {
                            send();
                        }
                    });
        }

        void stop() throws InterruptedException {
            running.set(false);
            stopped.await(60, TimeUnit.SECONDS);
        }

        long count() {
            synchronized (latencies) {
                return latencies.size();
            }
        }

        long[] latencies() {
            synchronized (latencies) {
                return latencies.stream().mapToLong(Long::longValue).toArray();
            }
        }
    }

    private void write(List<Result> results) throws Exception {
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("concurrency", concurrency == 0 ? "max(4, 2 x max batch)" : "" + concurrency);
        root.put("history_items", history);
        root.put("warmup_s", warmupSeconds);
        root.put("measure_s", measureSeconds);
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("repeats", repeats);
        root.put("cache_size", cacheSize);
        ArrayNode all = root.putArray("runs");
        allRuns.forEach(r -> all.add(json.valueToTree(r)));
        ArrayNode rows = root.putArray("results");
        StringBuilder md = new StringBuilder();
        md.append("| backend | max batch | max wait ms | in flight | req/s | req/CPU-s | p50 ms |"
                + " p99 ms | mean batch | x req/s over batch 1 | x req/CPU-s over batch 1 |"
                + " load avg |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            rows.add(json.valueToTree(r));
            Result base = results.stream()
                    .filter(o -> o.backend.equals(r.backend) && o.maxBatch == 1
                            && o.maxWaitMs == r.maxWaitMs)
                    .findFirst().orElse(r);
            md.append(String.format(Locale.ROOT,
                    "| %s | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %.1f |%n",
                    r.backend, r.maxBatch, r.maxWaitMs, r.inFlight, r.rps,
                    r.requestsPerCpuSecond, r.p50Ms, r.p99Ms, r.meanBatch, r.rps / base.rps,
                    r.requestsPerCpuSecond / base.requestsPerCpuSecond, r.loadAverage));
        }
        Files.writeString(out.resolve("results.json"), root.toPrettyString());
        Files.writeString(out.resolve("results.md"), md.toString());
        System.out.print(md);
        System.err.println("duet bench worker: wrote " + out.resolve("results.json") + " and "
                + out.resolve("results.md"));
    }

    private static Path sharedRoot() {
        String configured = System.getProperty("duet.shared");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("DUET_SHARED");
        }
        if (configured == null || configured.isBlank()) {
            String home = System.getProperty("duet.home", ".");
            return Path.of(home).resolve("../shared").toAbsolutePath().normalize();
        }
        return Path.of(configured);
    }

    /** Lets one backend serve several workers in turn: closing a worker leaves it open. */
    private record Shared(ScoringBackend delegate) implements ScoringBackend {
        @Override
        public String modelName() {
            return delegate.modelName();
        }

        @Override
        public String modelVersion() {
            return delegate.modelVersion();
        }

        @Override
        public void validate(ScoreRequest request) throws InvalidRequestException {
            delegate.validate(request);
        }

        @Override
        public List<float[]> scoreBatch(List<ScoreRequest> requests) throws Exception {
            return delegate.scoreBatch(requests);
        }

        @Override
        public void close() {}
    }
}
