package dev.duet.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
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
}
