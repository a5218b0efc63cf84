package dev.duet.demo;

import dev.duet.job.JobOptions;
import dev.duet.job.JobRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming job on a MiniCluster in this JVM with the Flink dashboard, built exactly as
 * {@code ./duet job} builds it ({@link JobRunner}), unbounded: the demo ends it by cancelling once
 * every input is accounted for. Restarts are off, so a failure ends the demo with its cause
 * instead of hiding behind retries.
 */
final class DemoJob implements AutoCloseable {

    private final JobClient client;
    private final int dashboardPort;

    private DemoJob(JobClient client, int dashboardPort) {
        this.client = client;
        this.dashboardPort = dashboardPort;
    }

    /**
     * Options of the demo's job: this broker, this worker, this CRM and sequence model (null:
     * popularity retrieves), the demo's topics.
     */
    static Configuration options(String bootstrap, int workerPort, Path model, Path sequenceModel, Path catalogSeed, Path checkpoints,
            DemoSettings settings, int dashboardPort) {
        // A fresh group and transactional prefix per run: nothing of an earlier run is resumed.
        String run = "duet-demo-" + UUID.randomUUID().toString().substring(0, 8);
        Configuration c = new Configuration();
        c.set(JobOptions.BOOTSTRAP, bootstrap);
        c.set(JobOptions.GROUP_ID, run);
        c.set(JobOptions.TRANSACTIONAL_ID_PREFIX, run);
        c.set(JobOptions.BOUNDED, false);
        c.set(JobOptions.WORKERS, "127.0.0.1:" + workerPort);
        c.set(JobOptions.MODEL_PATH, model.toAbsolutePath().toString());
        if (sequenceModel != null) {
            c.set(JobOptions.SEQUENCE_MODEL_PATH, sequenceModel.toAbsolutePath().toString());
        }
        // Popularity's top k beside the sequence model's, so the report compares both on the same replay.
        c.set(JobOptions.RETRIEVAL_SHADOW_POPULARITY, true);
        c.set(JobOptions.CATALOG_SEED, catalogSeed.toAbsolutePath().toString());
        c.set(JobOptions.CHECKPOINT_DIR, checkpoints.toUri().toString());
        c.set(JobOptions.CHECKPOINT_INTERVAL, settings.checkpointInterval);
        c.set(JobOptions.PARALLELISM, settings.parallelism);
        c.set(JobOptions.BUDGET_SHARE, settings.budgetShare);
        c.set(JobOptions.WEB_PORT, dashboardPort);
        c.set(JobOptions.LLM_TIMEOUT, settings.llmTimeout);
        c.set(JobOptions.LLM_CALL_TIMEOUT, settings.llmCallTimeout);
        if (settings.calibration != null) {
            c.set(JobOptions.GATE_CALIBRATION, settings.calibration.toAbsolutePath().toString());
        }
        return c;
    }

    /** Validates the options as {@code ./duet job} does, then submits the job. */
    static DemoJob start(Configuration options) throws Exception {
        JobRunner.validate(options);
        Configuration flink = JobRunner.flinkConfiguration(options);
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
        JobRunner.addKafkaJob(env, options);
        return new DemoJob(env.executeAsync("duet-demo"), options.get(JobOptions.WEB_PORT));
    }

    /**
     * The dashboard port to use: the wanted one when it is free, else a free one (0 always picks a
     * free one). Returns the port and whether it differs from the wanted one.
     */
    static int choosePort(int wanted) throws IOException {
        if (wanted > 0 && isFree(wanted)) {
            return wanted;
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until the job's tasks run; throws when it fails first or takes longer than {@code timeout}. */
    void awaitRunning(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Throwable failed = failure();
            if (failed != null) {
                throw new IllegalStateException("the job failed while starting: " + failed.getMessage(), failed);
            }
            if (client.getJobStatus().get(10, TimeUnit.SECONDS) == JobStatus.RUNNING) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the job did not reach RUNNING within " + timeout.toSeconds() + " s");
    }

    /** The job's id, as the dashboard and its REST API name it. */
    String jobId() {
        return client.getJobID().toHexString();
    }

    int dashboardPort() {
        return dashboardPort;
    }

    String dashboardUrl() {
        return "http://127.0.0.1:" + dashboardPort;
    }

    /** The job's failure when it ended on its own (it should not), else null. */
    Throwable failure() {
        var result = client.getJobExecutionResult();
        if (!result.isDone()) {
            return null;
        }
        try {
            result.getNow(null);
            return new IllegalStateException("the job ended before the demo stopped it");
        } catch (Exception e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    /** Cancels the job and waits (bounded) for the MiniCluster to let go of it. */
    @Override
    public void close() throws Exception {
        if (!client.getJobExecutionResult().isDone()) {
            client.cancel().get(30, TimeUnit.SECONDS);
        }
        try {
            client.getJobExecutionResult().get(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception expected) {
            // A cancelled job's result is an exception; the wait is only for the shutdown.
        }
    }
}
