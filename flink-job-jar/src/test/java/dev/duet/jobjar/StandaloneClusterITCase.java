package dev.duet.jobjar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.job.testing.KafkaTestBroker;
import dev.duet.job.testing.TestStreams;
import dev.duet.job.testing.TrainedModelFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar on a real Flink standalone session cluster, as a Flink user runs it: JobManager and
 * TaskManager in their own JVMs on 127.0.0.1 ({@link StandaloneCluster}), the shaded jar uploaded
 * and run through the REST API ({@link FlinkRest}), an in-process Kafka broker, the CRM a model
 * trained by the real trainer. Records flow end to end; the job is stopped with a savepoint, more
 * input arrives, and {@code flink run -s} resumes the job from the savepoint at another
 * parallelism: over both runs every input is answered exactly once (read_committed) and per-user
 * state carried over.
 *
 * <p>Also: the job takes its parallelism and checkpoint settings from where Flink users set them
 * (the cluster's {@code parallelism.default} as {@code flink run} reads it, the REST run request's
 * parallelism, the cluster's {@code execution.checkpointing.interval} and {@code .dir}), and from
 * its own options only when they are given.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class StandaloneClusterITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int USERS = 20;
    private static final int ITEMS = 60;
    private static final int INTERACTIONS = 500; // half before the savepoint, half after
    private static final int REQUESTS = 30;
    private static final int N1 = INTERACTIONS / 2;
    private static final int M1 = REQUESTS / 2;

    /** The cluster's settings the job must take when its own options are not given. */
    private static final int CLUSTER_PARALLELISM = 3;
    private static final long CLUSTER_INTERVAL_MS = 700;

    /**
     * Gate weights that make the gate a readable function of the user's interaction count h
     * (the per-user state): {@code gate = sigmoid(1 - h / WARM)} with tail, uncertainty and bias
     * weighted 0, so every output tells how many interactions the job remembered for its user.
     */
    private static final int WARM = 10_000;

    @TempDir
    static Path home;

    private static String classpath;
    private static StandaloneCluster cluster;
    private static KafkaTestBroker kafka;
    private static final List<String> jobs = new ArrayList<>();
    private static final long started = System.nanoTime();

    @RegisterExtension
    static final TestWatcher PRINT_CLUSTER_LOGS_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (cluster != null) {
                System.out.println(cluster.logTails());
            }
        }
    };

    @BeforeAll
    static void startClusterAndBroker() throws Exception {
        classpath = Files.readString(Path.of(System.getProperty("duet.providedClasspath"))).trim();
        // The JVMs start first: they take longest, and the broker and the model are made meanwhile.
        cluster = StandaloneCluster.start(home.resolve("flink"), classpath, Map.of(
                "taskmanager.numberOfTaskSlots", Integer.toString(CLUSTER_PARALLELISM),
                "parallelism.default", Integer.toString(CLUSTER_PARALLELISM),
                "execution.checkpointing.interval", CLUSTER_INTERVAL_MS + " ms"));
        kafka = KafkaTestBroker.start();
        kafka.createTopics(2, "interactions", "requests", "items", "duet-control", "recommendations", "dead-letters");
        cluster.awaitReady(CLUSTER_PARALLELISM, Duration.ofMinutes(2));
        log("cluster and broker up");
    }

    @AfterAll
    static void stopEverything() throws Exception {
        try {
            if (cluster != null) {
                FlinkRest rest = new FlinkRest(cluster.restUrl());
                jobs.forEach(rest::cancelQuietly);
                cluster.close();
                cluster.keepLogs(Path.of("target", "standalone-cluster-logs"));
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
            log("cluster and broker stopped");
        }
    }

    @Test
    void recordsFlowAndAStopWithSavepointAndResumeLosesAndRepeatsNothing() throws Exception {
        FlinkRest rest = new FlinkRest(cluster.restUrl());
        Path model = TrainedModelFixture.get().file;
        Path gate = Files.writeString(home.resolve("gate.json"), "{\"cold\": 1, \"tail\": 0, \"uncertainty\": 0, \"bias\": 0}");
        List<String> args = List.of(
                "--kafka.bootstrap", kafka.bootstrap(),
                "--model.path", model.toString(),
                "--llm.enabled", "false",
                "--routing.gate-calibration", gate.toString(),
                "--routing.warm-history", Integer.toString(WARM),
                "--scoring.max-delay", "10 ms");

        String jar = rest.uploadJar(Path.of(System.getProperty("duet.jobJar")));
        log("jar uploaded");

        List<String> interactions = TestStreams.interactions(INTERACTIONS, USERS, ITEMS, 5);
        List<String> requests = TestStreams.requests(REQUESTS, USERS, ITEMS, 6);
        kafka.produce("items", TestStreams.items(ITEMS), null);
        kafka.produce("interactions", interactions.subList(0, N1), StandaloneClusterITCase::userOf);
        kafka.produce("requests", requests.subList(0, M1), StandaloneClusterITCase::userOf);

        // Run 1, through the REST API: nothing of the job's parallelism or checkpointing given, the
        // cluster's stand. A run request without "parallelism" runs with 1 (Flink's JarRunHandler
        // does not read the cluster's parallelism.default); the job used to override it with 2.
        String first = rest.run(jar, args, null, null);
        jobs.add(first);
        JsonNode job = rest.awaitRunning(first, Duration.ofMinutes(2));
        log("run 1 running");
        assertParallelism(job, 1);
        assertThat(rest.get("/jobs/" + first + "/checkpoints/config").get("interval").asLong()).isEqualTo(CLUSTER_INTERVAL_MS);
        assertThat(Path.of(java.net.URI.create(rest.awaitCompletedCheckpoint(first, Duration.ofMinutes(1)))))
                .startsWithRaw(cluster.checkpointDir().resolve(first));

        List<JsonNode> beforeStop = read(N1 + M1);
        assertThat(beforeStop).as("outputs of run 1: %s", rest.exceptions(first)).hasSize(N1 + M1);
        log("run 1 answered everything");

        String savepoint = rest.stopWithSavepoint(first, home.resolve("savepoints"), Duration.ofMinutes(2));
        assertThat(Path.of(java.net.URI.create(savepoint)).resolve("_metadata")).exists();
        log("stopped with savepoint " + savepoint);

        kafka.produce("interactions", interactions.subList(N1, INTERACTIONS), StandaloneClusterITCase::userOf);
        kafka.produce("requests", requests.subList(M1, REQUESTS), StandaloneClusterITCase::userOf);

        // Run 2, with `flink run -d -s SAVEPOINT JAR ARGS` as docs/deploy.md gives it: the client
        // reads the cluster's config.yaml, so the job runs with its parallelism.default, rescaled
        // from run 1's 1; the job's explicit checkpoint options win over the cluster's.
        Path explicitDir = home.resolve("explicit-checkpoints");
        List<String> cli = new ArrayList<>(List.of("-d", "-s", savepoint, System.getProperty("duet.jobJar")));
        cli.addAll(args);
        cli.addAll(List.of("--job.checkpoint-interval", "400 ms", "--job.checkpoint-dir", explicitDir.toUri().toString()));
        String printed = cluster.flinkRun(classpath, cli, Duration.ofMinutes(3));
        Matcher submitted = Pattern.compile("JobID ([0-9a-f]{32})").matcher(printed);
        assertThat(submitted.find()).as("flink run printed the job id: %s", printed).isTrue();
        String second = submitted.group(1);
        jobs.add(second);
        log("run 2 submitted by flink run");
        job = rest.awaitRunning(second, Duration.ofMinutes(2));
        log("run 2 running");
        assertParallelism(job, CLUSTER_PARALLELISM);
        assertThat(rest.get("/jobs/" + second + "/checkpoints/config").get("interval").asLong()).isEqualTo(400);
        assertThat(Path.of(java.net.URI.create(rest.awaitCompletedCheckpoint(second, Duration.ofMinutes(1)))))
                .startsWithRaw(explicitDir.resolve(second));
        assertThat(rest.get("/jobs/" + second + "/checkpoints").path("latest").path("restored").path("external_path").asText())
                .as("run 2 restored from the savepoint").isEqualTo(savepoint);

        List<JsonNode> all = read(INTERACTIONS + REQUESTS);
        log("run 2 answered everything");
        assertExactlyOnce(all, interactions);
        assertUserStateCarriedOver(all, interactions);
    }

    /** Every vertex of the job runs with the expected parallelism. */
    private static void assertParallelism(JsonNode job, int expected) {
        assertThat(job.get("vertices")).isNotEmpty();
        for (JsonNode v : job.get("vertices")) {
            assertThat(v.get("parallelism").asInt()).as("parallelism of %s", v.get("name").asText()).isEqualTo(expected);
        }
    }

    /** One output per input over both runs: each interaction by its input offset, each request by its id. */
    private static void assertExactlyOnce(List<JsonNode> all, List<String> interactions) {
        assertThat(all).hasSize(INTERACTIONS + REQUESTS);
        Set<String> interactionIds = new HashSet<>();
        Set<Long> eventTimes = new HashSet<>();
        Set<String> requestIds = new HashSet<>();
        for (JsonNode r : all) {
            assertThat(r.get("route").asText()).isEqualTo("crm");
            assertThat(r.get("crm_model_version").asText()).isEqualTo("fixture-v1");
            if (r.get("kind").asText().equals("interaction")) {
                assertThat(interactionIds.add(r.get("id").asText())).as("duplicate %s", r).isTrue();
                eventTimes.add(r.get("event_time").asLong());
            } else {
                assertThat(requestIds.add(r.get("id").asText())).as("duplicate %s", r).isTrue();
            }
        }
        Set<Long> inputTimes = new HashSet<>();
        interactions.forEach(i -> inputTimes.add(timestampOf(i)));
        assertThat(eventTimes).as("every interaction answered").isEqualTo(inputTimes);
        Set<String> expectedRequests = new HashSet<>();
        for (int i = 0; i < REQUESTS; i++) {
            expectedRequests.add("r" + i);
        }
        assertThat(requestIds).isEqualTo(expectedRequests);
    }

    /**
     * Each interaction was scored against its user's state before it: the count the gate reveals
     * is the number of the user's earlier interactions over both runs. Had run 2 started without
     * the savepoint's state, its counts would start again from 0. Requests see at least the
     * interactions of the runs before them.
     */
    private static void assertUserStateCarriedOver(List<JsonNode> all, List<String> interactions) {
        Map<Long, Integer> expectedCount = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Integer> seenInRun1 = new HashMap<>();
        for (int i = 0; i < interactions.size(); i++) {
            String user = userOf(interactions.get(i));
            int before = seen.getOrDefault(user, 0);
            expectedCount.put(timestampOf(interactions.get(i)), before);
            seen.put(user, before + 1);
            if (i < N1) {
                seenInRun1.put(user, before + 1);
            }
        }
        int carried = 0;
        for (JsonNode r : all) {
            if (r.get("items").isEmpty()) {
                continue; // a run-1 request that came before the catalog: not scored, no gate
            }
            int count = countFromGate(r.get("gate").asDouble());
            String user = r.get("user").asText();
            if (r.get("kind").asText().equals("interaction")) {
                long time = r.get("event_time").asLong();
                assertThat(count).as("interactions of %s before %s", user, time).isEqualTo(expectedCount.get(time));
                if (time > timestampOf(interactions.get(N1 - 1)) && seenInRun1.getOrDefault(user, 0) > 0) {
                    carried++;
                }
            } else if (Integer.parseInt(r.get("id").asText().substring(1)) >= M1) {
                // The catalog (broadcast state) came back too: there is something to rank.
                assertThat(r.get("items")).as("items of request %s", r.get("id")).isNotEmpty();
                assertThat(count).as("interactions of %s before request %s", user, r.get("id"))
                        .isBetween(seenInRun1.getOrDefault(user, 0), seen.getOrDefault(user, 0));
            }
        }
        assertThat(carried).as("run 2's interactions of users that run 1 had seen").isGreaterThan(INTERACTIONS / 4);
    }

    /** Inverts {@code gate = sigmoid(1 - h / WARM)}. */
    private static int countFromGate(double gate) {
        double h = WARM * (1 - Math.log(gate / (1 - gate)));
        long rounded = Math.round(h);
        assertThat(Math.abs(h - rounded)).as("gate %s gives an integer count (%s)", gate, h).isLessThan(0.01);
        return (int) rounded;
    }

    private static List<JsonNode> read(int expected) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String s : kafka.readCommitted("recommendations", expected, Duration.ofSeconds(3), Duration.ofMinutes(2))) {
            out.add(JSON.readTree(s));
        }
        return out;
    }

    private static String userOf(String json) {
        int i = json.indexOf("\"user\":\"");
        return json.substring(i + 8, json.indexOf('"', i + 8));
    }

    private static long timestampOf(String json) {
        int i = json.indexOf("\"timestamp\":");
        int end = json.indexOf('}', i);
        return Long.parseLong(json.substring(i + 12, end).trim());
    }

    private static void log(String what) {
        System.out.printf("StandaloneClusterITCase: %s after %.1f s%n", what, (System.nanoTime() - started) / 1e9);
    }
}
