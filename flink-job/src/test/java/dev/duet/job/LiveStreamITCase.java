package dev.duet.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.job.testing.FakeLlmWorker;
import dev.duet.job.testing.FakeScorer;
import dev.duet.job.testing.JobHarness;
import dev.duet.job.testing.KafkaTestBroker;
import dev.duet.job.testing.TestStreams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unbounded job fed in phases at different rates (slow, a burst, slow again): the share routed
 * to the LLM stays within its budget in every phase, and a model hot swap on the control topic
 * takes effect without a restart, every output naming the version that scored it.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LiveStreamITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double SHARE = 0.1;
    private static final double BURST = 2;
    private static final int PARALLELISM = 2;

    @Test
    void budgetHoldsWhileTheRateChangesAndTheModelIsSwappedLive(@TempDir Path dir) throws Exception {
        try (KafkaTestBroker kafka = KafkaTestBroker.start(); FakeLlmWorker worker = new FakeLlmWorker("worker", 0)) {
            Configuration c = JobHarness.options("live", kafka.bootstrap(), worker.target(), dir);
            c.set(JobOptions.BOUNDED, false);
            c.set(JobOptions.BUDGET_SHARE, SHARE);
            c.set(JobOptions.BUDGET_BURST, BURST);
            c.set(JobOptions.MIN_ENTROPY, 0.2);
            c.set(JobOptions.MIN_GATE, 0.3);
            kafka.createTopics(2, JobHarness.topics(c));
            kafka.produce(c.get(JobOptions.TOPIC_ITEMS), TestStreams.items(60), null);
            List<String> all = TestStreams.interactions(900, 40, 60, 9);
            List<String> slow1 = all.subList(0, 150);
            List<String> burst = all.subList(150, 750);
            List<String> slow2 = all.subList(750, 900);
            String topic = c.get(JobOptions.TOPIC_INTERACTIONS);
            String out = c.get(JobOptions.TOPIC_RECOMMENDATIONS);

            JobClient job = JobHarness.start(c, FakeScorer.factory(0), Map.of());
            try {
                paced(kafka, topic, slow1, 10);
                List<JsonNode> phase1 = read(kafka, out, 150);

                kafka.produce(c.get(JobOptions.TOPIC_CONTROL), List.of("{\"model_path\":\"/models/live-v2\"}"), null);
                Thread.sleep(1500);
                kafka.produce(topic, burst, null);
                List<JsonNode> upTo2 = read(kafka, out, 750);
                paced(kafka, topic, slow2, 10);
                List<JsonNode> everything = read(kafka, out, 900);

                assertThat(everything).hasSize(900);
                assertThat(new HashSet<>(everything.stream().map(r -> r.get("id").asText()).toList())).hasSize(900);
                Map<String, List<JsonNode>> byPhase = new HashMap<>();
                for (JsonNode r : everything) {
                    long offsetIndex = eventIndex(r, all);
                    String phase = offsetIndex < 150 ? "slow1" : offsetIndex < 750 ? "burst" : "slow2";
                    byPhase.computeIfAbsent(phase, k -> new ArrayList<>()).add(r);
                }
                int routedTotal = 0;
                for (var e : byPhase.entrySet()) {
                    long routed = e.getValue().stream().filter(r -> !r.get("route").asText().equals("crm")).count();
                    routedTotal += routed;
                    // Per phase: the share plus what a subtask may have saved up before it.
                    assertThat(routed).as("routed in %s", e.getKey()).isLessThanOrEqualTo((long) (SHARE * e.getValue().size() + BURST * PARALLELISM));
                }
                assertThat(routedTotal).isLessThanOrEqualTo((int) (SHARE * 900)).isGreaterThan(0);

                assertThat(phase1).allSatisfy(r -> assertThat(r.get("crm_model_version").asText()).isEqualTo("live-v1"));
                assertThat(byPhase.get("burst")).allSatisfy(r -> assertThat(r.get("crm_model_version").asText()).isEqualTo("live-v2"));
                assertThat(byPhase.get("slow2")).allSatisfy(r -> assertThat(r.get("crm_model_version").asText()).isEqualTo("live-v2"));
                assertThat(upTo2).hasSizeGreaterThanOrEqualTo(750);
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Sends records one by one with a pause: a slow input rate. */
    private static void paced(KafkaTestBroker kafka, String topic, List<String> records, long pauseMs) throws Exception {
        kafka.producePaced(topic, records, null, pauseMs);
    }

    private static List<JsonNode> read(KafkaTestBroker kafka, String topic, int expected) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String s : kafka.readCommitted(topic, expected, Duration.ofMillis(500), Duration.ofSeconds(60))) {
            out.add(JSON.readTree(s));
        }
        assertThat(out).hasSizeGreaterThanOrEqualTo(expected);
        return out;
    }

    /** Which input an output answers, by user, item and event time. */
    private static long eventIndex(JsonNode r, List<String> all) {
        String needle = "\"timestamp\":" + r.get("event_time").asLong() + "}";
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).endsWith(needle) && all.get(i).contains("\"user\":\"" + r.get("user").asText() + "\"")) {
                return i;
            }
        }
        throw new AssertionError("no input for " + r);
    }
}
