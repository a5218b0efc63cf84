package dev.duet.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.job.kafka.KafkaIo;
import dev.duet.job.testing.JobHarness;
import dev.duet.job.testing.KafkaTestBroker;
import dev.duet.job.testing.TestStreams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pass-through baseline end to end on an in-process broker and a MiniCluster: one output per
 * interaction and request, exactly once, with the ids the benchmark accounts by; bad records are
 * dead-lettered and catalog records dropped.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PassThroughJobITCase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyUserEventGivesExactlyOneRecordAndBadRecordsAreDeadLettered(@TempDir Path dir) throws Exception {
        try (KafkaTestBroker kafka = KafkaTestBroker.start()) {
            Configuration c = JobHarness.options("pass", kafka.bootstrap(), "127.0.0.1:1", dir);
            kafka.createTopics(2, JobHarness.topics(c));
            kafka.produce(c.get(JobOptions.TOPIC_ITEMS), TestStreams.items(20), null);
            List<String> interactions = new ArrayList<>(TestStreams.interactions(300, 25, 20, 3));
            interactions.addAll(100, TestStreams.badInteractions());
            kafka.produce(c.get(JobOptions.TOPIC_INTERACTIONS), interactions, PassThroughJobITCase::userKey);
            List<String> requests = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                requests.add("{\"request_id\":\"r" + i + "\",\"user\":\"u" + (i % 25) + "\",\"k\":3,\"timestamp\":"
                        + (TestStreams.START_MS + i * 60_000L) + "}");
            }
            kafka.produce(c.get(JobOptions.TOPIC_REQUESTS), requests, PassThroughJobITCase::userKey);

            Configuration flink = JobRunner.flinkConfiguration(c);
            flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            flink.setString("rest.port", "0");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(flink);
            JobRunner.configure(env, c);
            new PassThroughJob(
                            KafkaIo.source(c),
                            KafkaIo.exactlyOnceSink(c, c.get(JobOptions.TOPIC_RECOMMENDATIONS), "out"),
                            KafkaIo.exactlyOnceSink(c, c.get(JobOptions.TOPIC_DEAD_LETTERS), "dead"),
                            c)
                    .build(env);
            env.executeAsync("pass-through-test").getJobExecutionResult().get(2, TimeUnit.MINUTES);

            List<String> out = kafka.readCommitted(c.get(JobOptions.TOPIC_RECOMMENDATIONS), 330, Duration.ofSeconds(1),
                    Duration.ofSeconds(30));
            assertThat(out).hasSize(330);
            Set<String> ids = new HashSet<>();
            int requestsOut = 0;
            for (String s : out) {
                JsonNode r = JSON.readTree(s);
                assertThat(ids.add(r.get("kind").asText() + ":" + r.get("id").asText())).as("duplicate %s", s).isTrue();
                assertThat(r.get("user").asText()).startsWith("u");
                assertThat(r.get("latency_ms").asLong()).isNotNegative();
                if (r.get("kind").asText().equals("request")) {
                    requestsOut++;
                    assertThat(r.get("id").asText()).matches("r\\d+");
                } else {
                    assertThat(r.get("id").asText()).matches("pass-interactions-[01]-\\d+");
                }
            }
            assertThat(requestsOut).isEqualTo(30);
            List<String> dead = kafka.readCommitted(c.get(JobOptions.TOPIC_DEAD_LETTERS), TestStreams.badInteractions().size(),
                    Duration.ofSeconds(1), Duration.ofSeconds(30));
            assertThat(dead).hasSize(TestStreams.badInteractions().size());
        }
    }

    private static String userKey(String json) {
        int i = json.indexOf("\"user\":\"");
        return i < 0 ? null : json.substring(i + 8, json.indexOf('"', i + 8));
    }
}
