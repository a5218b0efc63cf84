package dev.duet.job.testing;

import dev.duet.job.DuetJob;
import dev.duet.job.JobOptions;
import dev.duet.job.JobRunner;
import dev.duet.job.kafka.KafkaIo;
import dev.duet.job.scoring.CrmScorerFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Runs the Kafka job on a local MiniCluster with test settings and bounded timeouts. */
public final class JobHarness {

    private JobHarness() {}

    /** Options for a test: its own topics (prefix), bounded input, fast checkpoints. */
    public static Configuration options(String prefix, String bootstrap, String workers, Path checkpoints) {
        Configuration c = new Configuration();
        c.set(JobOptions.BOOTSTRAP, bootstrap);
        c.set(JobOptions.WORKERS, workers);
        c.set(JobOptions.MODEL_PATH, "/models/" + prefix + "-v1");
        c.set(JobOptions.BOUNDED, true);
        c.set(JobOptions.GROUP_ID, prefix + "-group");
        c.set(JobOptions.TRANSACTIONAL_ID_PREFIX, prefix);
        c.set(JobOptions.TOPIC_INTERACTIONS, prefix + "-interactions");
        c.set(JobOptions.TOPIC_REQUESTS, prefix + "-requests");
        c.set(JobOptions.TOPIC_ITEMS, prefix + "-items");
        c.set(JobOptions.TOPIC_CONTROL, prefix + "-control");
        c.set(JobOptions.TOPIC_RECOMMENDATIONS, prefix + "-recommendations");
        c.set(JobOptions.TOPIC_DEAD_LETTERS, prefix + "-dead-letters");
        c.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(300));
        c.set(JobOptions.CHECKPOINT_DIR, checkpoints.toUri().toString());
        c.set(JobOptions.PARALLELISM, 2);
        c.set(JobOptions.BATCH_SIZE, 16);
        c.set(JobOptions.BATCH_MAX_DELAY, Duration.ofMillis(10));
        c.set(JobOptions.LLM_TIMEOUT, Duration.ofMillis(4000));
        c.set(JobOptions.LLM_CALL_TIMEOUT, Duration.ofMillis(1200));
        c.set(JobOptions.BREAKER_OPEN_TIME, Duration.ofSeconds(1));
        return c;
    }

    public static String[] topics(Configuration c) {
        return new String[] {
            c.get(JobOptions.TOPIC_INTERACTIONS), c.get(JobOptions.TOPIC_REQUESTS), c.get(JobOptions.TOPIC_ITEMS),
            c.get(JobOptions.TOPIC_CONTROL), c.get(JobOptions.TOPIC_RECOMMENDATIONS), c.get(JobOptions.TOPIC_DEAD_LETTERS)
        };
    }

    /** Runs the job to the end of its bounded input; fails after {@code timeout}. */
    public static JobExecutionResult run(Configuration options, CrmScorerFactory scorer, Map<String, String> flinkOverrides,
            Duration timeout) throws Exception {
        JobClient client = start(options, scorer, flinkOverrides);
        try {
            return client.getJobExecutionResult().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            client.cancel().get(30, java.util.concurrent.TimeUnit.SECONDS);
            throw new AssertionError("job did not finish within " + timeout, e);
        }
    }

    /** Starts the job (bounded or not) and returns its client; the caller cancels it. */
    public static JobClient start(Configuration options, CrmScorerFactory scorer, Map<String, String> flinkOverrides)
            throws Exception {
        Configuration flink = JobRunner.flinkConfiguration(options);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        flink.setString("rest.port", "0");
        flinkOverrides.forEach(flink::setString);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(flink);
        JobRunner.configure(env, options);
        new DuetJob(
                        KafkaIo.source(options),
                        KafkaIo.exactlyOnceSink(options, options.get(JobOptions.TOPIC_RECOMMENDATIONS), "recommendations"),
                        KafkaIo.exactlyOnceSink(options, options.get(JobOptions.TOPIC_DEAD_LETTERS), "dead-letters"),
                        options,
                        scorer)
                .build(env);
        return env.executeAsync("duet-test");
    }
}
