package dev.duet.bench.pipeline;

import dev.duet.job.JobOptions;
import dev.duet.job.JobRunner;
import dev.duet.job.PassThroughJob;
import dev.duet.job.kafka.KafkaIo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One configuration's job on a MiniCluster in this JVM (all servers on 127.0.0.1, the dashboard on
 * a free port), built as {@code ./duet job} builds it: {@link JobRunner} for the real job, the same
 * Kafka source and exactly-once sinks for the pass-through baseline. Restarts are off: a failure
 * ends the phase with its cause instead of hiding behind retries.
 */
final class BenchJob implements AutoCloseable {

    private final JobClient client;
    private final int restPort;

    private BenchJob(JobClient client, int restPort) {
        this.client = client;
        this.restPort = restPort;
    }

    /** Validates the options (real job) and submits the job of {@code config}. */
    static BenchJob start(JobConfig config, Configuration options, Map<String, String> flinkConf) throws Exception {
        Configuration flink = JobRunner.flinkConfiguration(options);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        // A known port, so that the phase can read the checkpoint statistics from the REST API.
        int restPort = freePort();
        flink.setString("rest.port", Integer.toString(restPort));
        flink.setString("web.checkpoints.history", "200");
        // Operator metrics read at a phase's end (the pre-barrier flush histograms) at most 1 s old.
        flink.setString("metrics.fetcher.update-interval", "1 s");
        flinkConf.forEach(flink::setString);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(flink);
        if (config == JobConfig.PASS_THROUGH) {
            JobRunner.configure(env, options);
            new PassThroughJob(
                            KafkaIo.source(options),
                            KafkaIo.exactlyOnceSink(options, options.get(JobOptions.TOPIC_RECOMMENDATIONS), "out"),
                            KafkaIo.exactlyOnceSink(options, options.get(JobOptions.TOPIC_DEAD_LETTERS), "dead-letters"),
                            options)
                    .build(env);
        } else {
            JobRunner.validate(options);
            JobRunner.addKafkaJob(env, options);
        }
        return new BenchJob(env.executeAsync("duet-bench-" + config.key), restPort);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The statistics of the job's completed checkpoints triggered at or after {@code fromMs}. */
    CheckpointStats checkpointStats(long fromMs) throws IOException, InterruptedException {
        return CheckpointStats.fetch(restPort, client.getJobID().toHexString(), fromMs);
    }

    /** Waits until the job's tasks run; throws when it fails first or takes longer than {@code timeout}. */
    void awaitRunning(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            throwIfFailed();
            if (client.getJobStatus().get(10, TimeUnit.SECONDS) == JobStatus.RUNNING) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the job did not reach RUNNING within " + timeout.toSeconds() + " s");
    }

    /** Whether the job ended (a bounded job at the end of its input); throws when it failed. */
    boolean finished() throws Exception {
        var result = client.getJobExecutionResult();
        if (!result.isDone()) {
            return false;
        }
        try {
            result.get();
            return true;
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("the job failed: " + cause.getMessage(), cause);
        }
    }

    /** Throws when the job ended with a failure. */
    void throwIfFailed() throws Exception {
        finished();
    }

    /** Cancels the job (when still running) and waits, bounded, for the MiniCluster to let go. */
    @Override
    public void close() throws Exception {
        if (!client.getJobExecutionResult().isDone()) {
            client.cancel().get(30, TimeUnit.SECONDS);
        }
        try {
            client.getJobExecutionResult().get(30, TimeUnit.SECONDS);
        } catch (Exception expected) {
            // A cancelled job's result is an exception; the wait is only for the shutdown.
        }
    }
}
