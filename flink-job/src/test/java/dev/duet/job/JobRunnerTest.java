package dev.duet.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class JobRunnerTest {

    @Test
    void rocksDbWithIncrementalCheckpointsUnlessTheHeapIsAskedFor() {
        Configuration options = new Configuration();
        options.set(JobOptions.CHECKPOINT_DIR, "file:///tmp/duet-test-checkpoints");
        Configuration rocks = JobRunner.jobConfiguration(options);
        assertThat(rocks.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(rocks.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(rocks.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("file:///tmp/duet-test-checkpoints");

        options.setString("job.state-backend", "hashmap"); // as on the command line; Flink's enum parsing ignores case
        Configuration heap = JobRunner.jobConfiguration(options);
        assertThat(heap.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
        assertThat(heap.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isFalse();
    }

    @Test
    void rocksDbWorkingFilesGoWhereJobRocksDbDirSaysAndOtherwiseWhereFlinkChooses() {
        Configuration options = new Configuration();
        assertThat(JobRunner.jobConfiguration(options).contains(RocksDBOptions.LOCAL_DIRECTORIES)).isFalse();

        options.set(JobOptions.ROCKSDB_DIR, "/dev/shm/duet-rocksdb");
        assertThat(JobRunner.jobConfiguration(options).get(RocksDBOptions.LOCAL_DIRECTORIES)).isEqualTo("/dev/shm/duet-rocksdb");

        // The heap backend has no working files: the setting is not passed on.
        options.set(JobOptions.STATE_BACKEND, JobOptions.StateBackend.HASHMAP);
        assertThat(JobRunner.jobConfiguration(options).contains(RocksDBOptions.LOCAL_DIRECTORIES)).isFalse();
    }

    /** ./duet job: a MiniCluster with the job's own defaults where a cluster would give its settings. */
    @Test
    void locallyTheJobsDefaultsStand() {
        Configuration options = new Configuration();
        Configuration local = JobRunner.flinkConfiguration(options);
        assertThat(local.get(CoreOptions.DEFAULT_PARALLELISM)).isEqualTo(2);
        assertThat(local.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("file:///tmp/duet-checkpoints");
        assertThat(local.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(10));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(local);
        JobRunner.configure(env, options);
        assertThat(env.getParallelism()).isEqualTo(2);
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(10_000);
        assertThat(env.getCheckpointConfig().getCheckpointingConsistencyMode()).isEqualTo(CheckpointingMode.EXACTLY_ONCE);

        options.set(JobOptions.PARALLELISM, 3);
        options.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2));
        StreamExecutionEnvironment explicit = StreamExecutionEnvironment.createLocalEnvironment(JobRunner.flinkConfiguration(options));
        JobRunner.configure(explicit, options);
        assertThat(explicit.getParallelism()).isEqualTo(3);
        assertThat(explicit.getCheckpointConfig().getCheckpointInterval()).isEqualTo(2_000);
    }

    /**
     * flink run: the environment holds the cluster's configuration with the job's settings added
     * (as Flink's StreamContextEnvironment merges them); parallelism, checkpoint folder and interval
     * are the cluster's unless the job's option is given.
     */
    @Test
    void onAClusterItsParallelismAndCheckpointSettingsStandUnlessGivenExplicitly() {
        Configuration cluster = new Configuration();
        cluster.set(CoreOptions.DEFAULT_PARALLELISM, 3);
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(700));
        cluster.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "s3://cluster/checkpoints");
        cluster.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.AT_LEAST_ONCE);

        Configuration options = dev.duet.job.cli.CommandLine.parse(java.util.List.of("--model", "m.onnx"));
        StreamExecutionEnvironment env = clusterEnvironment(cluster, options);
        assertThat(env.getParallelism()).isEqualTo(3);
        assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(700);
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("s3://cluster/checkpoints");
        // The output's exactly-once guarantee rests on exactly-once checkpoints, whatever the cluster says.
        assertThat(env.getCheckpointConfig().getCheckpointingConsistencyMode()).isEqualTo(CheckpointingMode.EXACTLY_ONCE);

        Configuration explicit = dev.duet.job.cli.CommandLine.parse(java.util.List.of(
                "--parallelism", "5", "--checkpoint-interval", "400 ms", "--job.checkpoint-dir", "file:///data/duet"));
        StreamExecutionEnvironment mine = clusterEnvironment(cluster, explicit);
        assertThat(mine.getParallelism()).isEqualTo(5);
        assertThat(mine.getCheckpointConfig().getCheckpointInterval()).isEqualTo(400);
        assertThat(mine.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("file:///data/duet");

        // A cluster that checkpoints never: the job's interval, or its output would never be committed.
        Configuration bare = new Configuration();
        StreamExecutionEnvironment onBare = clusterEnvironment(bare, options);
        assertThat(onBare.getCheckpointConfig().getCheckpointInterval()).isEqualTo(10_000);
        assertThat(onBare.getConfiguration().getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEmpty();
    }

    private static StreamExecutionEnvironment clusterEnvironment(Configuration cluster, Configuration options) {
        Configuration merged = new Configuration();
        merged.addAll(cluster);
        merged.addAll(JobRunner.jobConfiguration(options));
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(merged);
        JobRunner.configure(env, options);
        return env;
    }
}
