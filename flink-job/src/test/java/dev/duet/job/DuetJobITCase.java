package dev.duet.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.testing.SequenceModelFixture;
import dev.duet.job.testing.FakeLlmWorker;
import dev.duet.job.testing.FakeScorer;
import dev.duet.job.testing.JobHarness;
import dev.duet.job.testing.KafkaTestBroker;
import dev.duet.job.testing.RetainingMetricReporter;
import dev.duet.job.testing.TestStreams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The job end to end: an in-process Kafka broker on 127.0.0.1, a MiniCluster, fake LLM workers
 * over real gRPC, and a deterministic CRM stand-in (the real model's equivalence is tested in
 * {@code TrainedModelScoringTest}). Input is bounded, so each job runs to its end and its final
 * checkpoint commits the output transactions.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DuetJobITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int N = 400;
    private static final int M = 40;
    private static final int USERS = 30;
    private static final int ITEMS = 60;

    private static KafkaTestBroker kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaTestBroker.start();
    }

    @BeforeEach
    @AfterEach
    void noInjectedFailure() {
        FakeScorer.FAIL_AFTER_ROWS.set(0);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Writes the standard input (catalog, N interactions, M requests, bad records) for a test. */
    private static int produceInput(Configuration c) throws Exception {
        return produceInput(c, true);
    }

    private static int produceInput(Configuration c, boolean createTopics) throws Exception {
        if (createTopics) {
            kafka.createTopics(2, JobHarness.topics(c));
        }
        kafka.produce(c.get(JobOptions.TOPIC_ITEMS), TestStreams.items(ITEMS), null);
        List<String> interactions = new ArrayList<>(TestStreams.interactions(N, USERS, ITEMS, 1));
        List<String> bad = TestStreams.badInteractions();
        for (int i = 0; i < bad.size(); i++) {
            interactions.add(i * 50 + 7, bad.get(i));
        }
        kafka.produce(c.get(JobOptions.TOPIC_INTERACTIONS), interactions, DuetJobITCase::userKey);
        List<String> requests = new ArrayList<>(TestStreams.requests(M, USERS, ITEMS, 2));
        requests.addAll(5, TestStreams.badRequests());
        kafka.produce(c.get(JobOptions.TOPIC_REQUESTS), requests, DuetJobITCase::userKey);
        return bad.size() + TestStreams.badRequests().size();
    }

    private static String userKey(String json) {
        int i = json.indexOf("\"user\":\"");
        return i < 0 ? null : json.substring(i + 8, json.indexOf('"', i + 8));
    }

    private static List<JsonNode> readRecommendations(Configuration c) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String s : kafka.readCommitted(c.get(JobOptions.TOPIC_RECOMMENDATIONS), N + M, Duration.ofSeconds(2), Duration.ofSeconds(60))) {
            out.add(JSON.readTree(s));
        }
        return out;
    }

    /** Exactly N + M records, each input once, well formed. Returns the records by route. */
    private static Map<String, List<JsonNode>> assertExactlyOnce(List<JsonNode> records) {
        assertThat(records).hasSize(N + M);
        Set<String> ids = new HashSet<>();
        int interactions = 0;
        Map<String, List<JsonNode>> byRoute = new HashMap<>();
        for (JsonNode r : records) {
            assertThat(ids.add(r.get("kind").asText() + ":" + r.get("id").asText())).as("duplicate %s", r).isTrue();
            if (r.get("kind").asText().equals("interaction")) {
                interactions++;
                assertThat(r.get("items")).hasSize(1);
                assertThat(r.get("label").asInt()).isIn(0, 1);
            } else {
                assertThat(r.get("items").size()).isLessThanOrEqualTo(5);
            }
            assertThat(r.get("crm_model_version").asText()).isNotEmpty();
            assertThat(r.get("latency_ms").asLong()).isGreaterThanOrEqualTo(0);
            byRoute.computeIfAbsent(r.get("route").asText(), k -> new ArrayList<>()).add(r);
        }
        assertThat(interactions).isEqualTo(N);
        Set<String> requestIds = new HashSet<>();
        records.stream().filter(r -> r.get("kind").asText().equals("request")).forEach(r -> requestIds.add(r.get("id").asText()));
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < M; i++) {
            expected.add("r" + i);
        }
        assertThat(requestIds).isEqualTo(expected);
        assertThat(byRoute.keySet()).isSubsetOf("crm", "llm", "fallback");
        return byRoute;
    }

    @Test
    void everyInputGivesExactlyOneRecommendationAndBadRecordsAreDeadLettered(@TempDir Path dir) throws Exception {
        RetainingMetricReporter.Recording metrics = RetainingMetricReporter.start();
        try (FakeLlmWorker a = new FakeLlmWorker("worker-a", 0); FakeLlmWorker b = new FakeLlmWorker("worker-b", 0)) {
            Configuration c = JobHarness.options("exact", kafka.bootstrap(), a.target() + "," + b.target(), dir);
            c.set(JobOptions.BUDGET_SHARE, 0.2);
            c.set(JobOptions.SEQUENCE_MODEL_PATH, SequenceModelFixture.builder().items(TestStreams.itemIds(ITEMS)).dim(8)
                    .version("seq-it").build().write(dir.resolve("sequence.onnx")).toString());
            int bad = produceInput(c);
            JobHarness.run(c, FakeScorer.factory(0), metrics.flinkSettings(), Duration.ofMinutes(3));

            List<JsonNode> records = readRecommendations(c);
            Map<String, List<JsonNode>> byRoute = assertExactlyOnce(records);
            assertRetrievalAndRankingQuality(records, metrics.metrics());
            List<JsonNode> llm = byRoute.getOrDefault("llm", List.of());
            assertThat(llm).as("hard samples answered by the LLM").isNotEmpty();
            assertThat(byRoute.getOrDefault("fallback", List.of())).isEmpty();
            // Balanced: both workers answered.
            assertThat(a.requests()).isPositive();
            assertThat(b.requests()).isPositive();
            // Within budget: at most 20 % of the samples went to the LLM.
            assertThat(llm.size()).isLessThanOrEqualTo((int) (0.2 * (N + M)));
            for (JsonNode r : llm) {
                assertThat(r.get("llm_model_version").asText()).isIn("worker-a", "worker-b");
            }

            List<String> dead = kafka.readCommitted(c.get(JobOptions.TOPIC_DEAD_LETTERS), bad, Duration.ofSeconds(1), Duration.ofSeconds(30));
            assertThat(dead).hasSize(bad);
            for (String d : dead) {
                JsonNode n = JSON.readTree(d);
                assertThat(n.get("topic").asText()).isIn(c.get(JobOptions.TOPIC_INTERACTIONS), c.get(JobOptions.TOPIC_REQUESTS));
                assertThat(n.get("offset").asLong()).isGreaterThanOrEqualTo(0);
                assertThat(n.get("partition").asInt()).isBetween(0, 1);
                assertThat(n.get("reason").asText()).isNotBlank();
            }
            assertDashboardMetricsAgree(metrics.metrics(), bad, byRoute);
        }
    }

    /**
     * The sinks reuse a pool of transactional ids: after 12 checkpoints the broker knows a few per
     * subtask and sink, where the connector's default names a new one per checkpoint (2 sinks x 2
     * subtasks x 13 here).
     */
    @Test
    void theSinksReuseAPoolOfTransactionalIds(@TempDir Path dir) throws Exception {
        RetainingMetricReporter.Recording metrics = RetainingMetricReporter.start();
        try (FakeLlmWorker a = new FakeLlmWorker("worker-a", 0)) {
            Configuration c = JobHarness.options("pooled", kafka.bootstrap(), a.target(), dir);
            c.set(JobOptions.BOUNDED, false);
            kafka.createTopics(2, JobHarness.topics(c));
            JobClient job = JobHarness.start(c, FakeScorer.factory(0), metrics.flinkSettings());
            long checkpoints = 0;
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                // Records keep every checkpoint's transactions busy.
                while (checkpoints < 12 && System.nanoTime() < deadline) {
                    kafka.produce(c.get(JobOptions.TOPIC_INTERACTIONS), TestStreams.interactions(20, USERS, ITEMS, checkpoints), null);
                    Thread.sleep(200);
                    checkpoints = metrics.metrics().entrySet().stream()
                            .filter(e -> e.getKey().endsWith(".numberOfCompletedCheckpoints") && e.getValue() instanceof Gauge<?>)
                            .mapToLong(e -> ((Number) ((Gauge<?>) e.getValue()).getValue()).longValue()).max().orElse(0);
                }
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
                awaitEnd(job);
            }
            java.util.Set<String> ids = kafka.transactionalIds("pooled-");
            System.out.printf("%d completed checkpoints, %d transactional ids: %s%n", checkpoints, ids.size(), ids);
            assertThat(checkpoints).as("completed checkpoints").isGreaterThanOrEqualTo(12);
            // At most 3 per subtask and sink (one open, one waiting for its commit, one spare).
            assertThat(ids).as("transactional ids after %d checkpoints", checkpoints).isNotEmpty().hasSizeLessThanOrEqualTo(2 * 2 * 3);
        }
    }

    /** Waits until a cancelled job has ended, so that nothing writes into the test's folders any more. */
    private static void awaitEnd(JobClient job) {
        try {
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        } catch (Exception ended) {
            // A cancelled job ends with an exception; only its end matters here.
        }
    }

    /**
     * Requests without candidates were retrieved by the sequence model (or, for a user it knew
     * nothing of yet, by popularity), every output names its retrieval, and the retrieval and hit@k
     * metrics add up to what reached Kafka.
     */
    private static void assertRetrievalAndRankingQuality(List<JsonNode> records, Map<String, Metric> metrics) {
        int sequence = 0;
        int retrieved = 0;
        for (JsonNode r : records) {
            if (r.get("kind").asText().equals("interaction")) {
                assertThat(r.get("retrieval").isNull()).isTrue();
                continue;
            }
            boolean own = Integer.parseInt(r.get("id").asText().substring(1)) % 2 == 0; // TestStreams: even ids carry candidates
            String source = r.get("retrieval").asText();
            if (own) {
                assertThat(source).isEqualTo("request");
                continue;
            }
            retrieved++;
            assertThat(source).isIn("sequence", "popularity");
            if (source.equals("sequence")) {
                sequence++;
                assertThat(r.get("retrieval_model_version").asText()).isEqualTo("seq-it");
            } else {
                assertThat(r.get("retrieval_model_version").isNull()).isTrue();
            }
        }
        assertThat(retrieved).isEqualTo(M / 2);
        assertThat(counterSum(metrics, "retrievalSequence")).isEqualTo(sequence);
        assertThat(counterSum(metrics, "retrievalPopularity")).isEqualTo(retrieved - sequence);
        assertThat(find(metrics, "sequenceModelVersionHash", Gauge.class))
                .allMatch(g -> Long.valueOf(dev.duet.job.operators.CrmBatchScorer.versionHash("seq-it")).equals(g.getValue()));
        // Every interaction was checked against its user's last list, or counted as having none.
        long checked = 0;
        for (String route : new String[] {"crm", "llm", "fallback"}) {
            checked += counterSum(metrics, "ranking.route." + route + ".interactionsChecked");
        }
        assertThat(checked + counterSum(metrics, "ranking.untrackedInteractions")).isEqualTo(N);
        assertThat(counterSum(metrics, "ranking.source.sequence.interactionsChecked")
                + counterSum(metrics, "ranking.source.popularity.interactionsChecked")
                + counterSum(metrics, "ranking.source.request.interactionsChecked")).isEqualTo(checked);
    }

    /** What the Flink dashboard shows (docs/job.md, Metrics) agrees with what reached Kafka. */
    private static void assertDashboardMetricsAgree(Map<String, Metric> metrics, int bad, Map<String, List<JsonNode>> byRoute) {
        int llm = byRoute.getOrDefault("llm", List.of()).size();
        assertThat(counterSum(metrics, "deadLetters")).isEqualTo(bad);
        assertThat(counterSum(metrics, "interactions")).isEqualTo(N);
        assertThat(counterSum(metrics, "requests")).isEqualTo(M);
        // A request that found nothing to rank (no catalog yet) is answered empty, not scored.
        long withItems = byRoute.values().stream().flatMap(List::stream).filter(r -> r.get("items").size() > 0).count();
        assertThat(counterSum(metrics, "samplesScored")).isEqualTo(withItems);
        assertThat(counterSum(metrics, "samplesRoutedToLlm")).isEqualTo(llm);
        assertThat(counterSum(metrics, "llmCalls")).isEqualTo(llm);
        assertThat(counterSum(metrics, "llmFallbacks")).isZero();
        assertThat(counterSum(metrics, "crmRowsScored")).isGreaterThanOrEqualTo(N + M);
        List<Histogram> batches = find(metrics, "crmBatchSize", Histogram.class);
        assertThat(batches).isNotEmpty();
        // Batched across keys; a batch closes once it holds scoring.batch-size (16) rows, so the
        // last task may take it past that by its candidates (at most the candidate pool).
        assertThat(batches.stream().mapToDouble(h -> h.getStatistics().getMean()).max().orElseThrow()).isGreaterThan(2);
        assertThat(batches.stream().mapToLong(h -> h.getStatistics().getMax()).max().orElseThrow())
                .isLessThanOrEqualTo(15 + JobOptions.CANDIDATE_POOL.defaultValue());
        // Live prequential figures: one labelled sample per interaction, in its route's window.
        long crmInteractions = byRoute.getOrDefault("crm", List.of()).stream()
                .filter(r -> r.get("kind").asText().equals("interaction")).count();
        assertThat(gaugeSum(metrics, "prequential.crm.samples")).isEqualTo(crmInteractions);
        for (Gauge<?> auc : find(metrics, "prequential.crm.auc", Gauge.class)) {
            double v = ((Number) auc.getValue()).doubleValue();
            assertThat(v).as("live AUC of a route with samples").isBetween(0.0, 1.0);
        }
        // The job's own latency, parse to output, once per output record (and once more per route).
        long timed = 0;
        for (Map.Entry<String, Metric> e : metrics.entrySet()) {
            if (e.getKey().endsWith(".endToEndLatencyMs") && !e.getKey().contains(".route.")) {
                timed += ((Histogram) e.getValue()).getCount();
            }
        }
        assertThat(timed).isEqualTo(N + M);
        assertThat(find(metrics, "endToEndLatencyMs", Histogram.class).stream().mapToLong(Histogram::getCount).sum())
                .isEqualTo(2L * (N + M));
        // Numeric metrics only: each worker's breaker (0 closed) and the model version's hash.
        assertThat(find(metrics, "breakerState", Gauge.class)).hasSize(2 * 2)
                .allSatisfy(g -> assertThat(((Number) g.getValue()).intValue()).isZero());
        assertThat(find(metrics, "crmModelVersionHash", Gauge.class))
                .allSatisfy(g -> assertThat(g.getValue()).isEqualTo(dev.duet.job.operators.CrmBatchScorer.versionHash("exact-v1")));
        Set<String> duetGauges = Set.of("auc", "logLoss", "samples", "breakerState", "crmModelVersionHash", "sequenceModelVersionHash", "hitRate", "llmGateThreshold",
                "llmShare", "llmWorkersAvailable", "userStateCacheHits", "userStateCacheMisses", "userStateCacheWrites",
                "itemStateCacheHits", "itemStateCacheMisses", "itemStateCacheWrites");
        int duet = 0;
        for (Map.Entry<String, Metric> e : metrics.entrySet()) {
            if (e.getValue() instanceof Gauge<?> g && duetGauges.contains(e.getKey().substring(e.getKey().lastIndexOf('.') + 1))) {
                assertThat(g.getValue()).as("%s, a gauge every metric reporter can export", e.getKey()).isInstanceOf(Number.class);
                duet++;
            }
        }
        assertThat(duet).isGreaterThan(20);
    }

    /**
     * The dashboard's live AUC and LogLoss per route are those of the output topic's labelled
     * interactions on that route (one subtask, so one window holds them all).
     */
    @Test
    void liveAucAndLogLossPerRouteAreTheOutputTopics(@TempDir Path dir) throws Exception {
        RetainingMetricReporter.Recording metrics = RetainingMetricReporter.start();
        try (FakeLlmWorker a = new FakeLlmWorker("worker-a", 0)) {
            Configuration c = JobHarness.options("live-auc", kafka.bootstrap(), a.target(), dir);
            c.set(JobOptions.BUDGET_SHARE, 0.3);
            c.set(JobOptions.PARALLELISM, 1);
            produceInput(c);
            JobHarness.run(c, FakeScorer.factory(0), metrics.flinkSettings(), Duration.ofMinutes(3));
            Map<String, List<JsonNode>> byRoute = assertExactlyOnce(readRecommendations(c));
            int checked = 0;
            for (String route : List.of("crm", "llm")) {
                List<JsonNode> labelled = byRoute.getOrDefault(route, List.of()).stream()
                        .filter(r -> r.get("kind").asText().equals("interaction")).toList();
                float[] labels = new float[labelled.size()];
                float[] scores = new float[labelled.size()];
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = labelled.get(i).get("label").floatValue();
                    scores[i] = labelled.get(i).get("scores").get(0).floatValue();
                }
                assertThat(gaugeSum(metrics.metrics(), "prequential." + route + ".samples")).isEqualTo(labels.length);
                if (labels.length >= 10) {
                    double auc = ((Number) find(metrics.metrics(), "prequential." + route + ".auc", Gauge.class).get(0).getValue()).doubleValue();
                    double logLoss = ((Number) find(metrics.metrics(), "prequential." + route + ".logLoss", Gauge.class).get(0).getValue()).doubleValue();
                    assertThat(auc).as("%s AUC", route).isCloseTo(dev.duet.core.metrics.BinaryMetrics.auc(labels, scores), org.assertj.core.api.Assertions.within(1e-6));
                    assertThat(logLoss).as("%s LogLoss", route).isCloseTo(dev.duet.core.metrics.BinaryMetrics.logLoss(labels, scores), org.assertj.core.api.Assertions.within(1e-6));
                    checked++;
                }
            }
            assertThat(checked).as("routes with enough labelled samples").isEqualTo(2);
        }
    }

    private static <T> List<T> find(Map<String, Metric> metrics, String name, Class<T> type) {
        List<T> out = new ArrayList<>();
        metrics.forEach((id, m) -> {
            if (id.endsWith("." + name) && type.isInstance(m)) {
                out.add(type.cast(m));
            }
        });
        assertThat(out).as("metric %s", name).isNotEmpty();
        return out;
    }

    private static long counterSum(Map<String, Metric> metrics, String name) {
        return find(metrics, name, Counter.class).stream().mapToLong(Counter::getCount).sum();
    }

    private static long gaugeSum(Map<String, Metric> metrics, String name) {
        return find(metrics, name, Gauge.class).stream().mapToLong(g -> ((Number) g.getValue()).longValue()).sum();
    }

    @Test
    void aWorkerStoppedMidStreamLosesNothing(@TempDir Path dir) throws Exception {
        try (FakeLlmWorker a = new FakeLlmWorker("worker-a", 20); FakeLlmWorker b = new FakeLlmWorker("worker-b", 20)) {
            Configuration c = JobHarness.options("stopped", kafka.bootstrap(), a.target() + "," + b.target(), dir);
            c.set(JobOptions.BUDGET_SHARE, 0.3);
            produceInput(c);
            ScheduledExecutorService stopper = Executors.newSingleThreadScheduledExecutor();
            stopper.scheduleAtFixedRate(() -> {
                if (a.requests() >= 5) {
                    try {
                        a.stop();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new RuntimeException("stopped"); // ends the schedule
                }
            }, 10, 10, TimeUnit.MILLISECONDS);
            // The scorer is slowed so that the stream is still running when the worker stops.
            JobHarness.run(c, FakeScorer.factory(15), Map.of(), Duration.ofMinutes(3));
            stopper.shutdownNow();

            Map<String, List<JsonNode>> byRoute = assertExactlyOnce(readRecommendations(c));
            int aAtStop = a.requests();
            assertThat(aAtStop).isGreaterThanOrEqualTo(5);
            // After the stop, worker b (retries, round robin) or the CRM fallback answered.
            assertThat(b.requests()).isPositive();
            List<JsonNode> llm = byRoute.getOrDefault("llm", List.of());
            assertThat(llm.stream().filter(r -> r.get("llm_model_version").asText().equals("worker-a")).count())
                    .isLessThanOrEqualTo(aAtStop);
            assertThat(llm.size() + byRoute.getOrDefault("fallback", List.of()).size()).isPositive();
        }
    }

    @Test
    void allWorkersDownEverythingFallsBackToTheCrm(@TempDir Path dir) throws Exception {
        FakeLlmWorker a = new FakeLlmWorker("worker-a", 0);
        String target = a.target();
        a.stop();
        Configuration c = JobHarness.options("down", kafka.bootstrap(), target + ",127.0.0.1:1", dir);
        c.set(JobOptions.BUDGET_SHARE, 0.2);
        produceInput(c);
        JobHarness.run(c, FakeScorer.factory(0), Map.of(), Duration.ofMinutes(3));

        Map<String, List<JsonNode>> byRoute = assertExactlyOnce(readRecommendations(c));
        assertThat(byRoute.get("llm")).isNull();
        List<JsonNode> fallback = byRoute.get("fallback");
        assertThat(fallback).isNotEmpty();
        for (JsonNode r : fallback) {
            assertThat(r.get("fallback_reason").asText()).isNotBlank();
            // The CRM's answer stands.
            assertThat(r.get("scores")).isEqualTo(r.get("crm_scores"));
        }
    }

    /** With either state backend: the checkpoint holds the user and popularity state the job resumes with. */
    @ParameterizedTest
    @EnumSource(JobOptions.StateBackend.class)
    void aTaskFailureRestoresFromACheckpointWithoutLossOrDuplicates(JobOptions.StateBackend backend, @TempDir Path dir)
            throws Exception {
        try (FakeLlmWorker a = new FakeLlmWorker("worker-a", 0)) {
            Configuration c = JobHarness.options("restore-" + backend.name().toLowerCase(Locale.ROOT),
                    kafka.bootstrap(), a.target(), dir);
            c.set(JobOptions.STATE_BACKEND, backend);
            c.set(JobOptions.BATCH_SIZE, 8);
            c.set(JobOptions.BOUNDED, false);
            kafka.createTopics(2, JobHarness.topics(c));
            // The failure is armed before any input exists, so it surely happens mid-stream; the
            // job restores state, offsets and open transactions from its last completed checkpoint.
            FakeScorer.ROWS.set(0);
            FakeScorer.FAIL_AFTER_ROWS.set(150);
            JobClient job = JobHarness.start(c, FakeScorer.factory(25), Map.of(
                    "restart-strategy.type", "fixed-delay",
                    "restart-strategy.fixed-delay.attempts", "2",
                    "restart-strategy.fixed-delay.delay", "200 ms"));
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!completedCheckpoint(dir) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(completedCheckpoint(dir)).as("a checkpoint completed").isTrue();
                produceInput(c, false);
                List<JsonNode> records = readRecommendations(c);
                assertThat(FakeScorer.FAIL_AFTER_ROWS.get()).as("the injected failure happened").isZero();
                assertExactlyOnce(records);
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
                awaitEnd(job);
            }
        }
    }

    private static boolean completedCheckpoint(Path dir) {
        try (var files = java.nio.file.Files.walk(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().equals("_metadata"));
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }
}
