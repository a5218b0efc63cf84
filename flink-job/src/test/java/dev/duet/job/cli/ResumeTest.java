package dev.duet.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.job.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeTest {

    @TempDir
    Path dir;

    private Path checkpoint(String job, int n, long completedAtMs) throws Exception {
        Path chk = Files.createDirectories(dir.resolve(job).resolve("chk-" + n));
        if (completedAtMs > 0) {
            Path metadata = Files.writeString(chk.resolve("_metadata"), "x");
            Files.setLastModifiedTime(metadata, FileTime.fromMillis(completedAtMs));
        }
        return chk;
    }

    private Configuration options(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("--job.checkpoint-dir", dir.toUri().toString()));
        all.addAll(List.of(args));
        return CommandLine.parse(all);
    }

    @Test
    void resumesTheCompletedCheckpointWrittenLastAcrossRuns() throws Exception {
        checkpoint("run-a", 7, 1_000_000);
        Path newest = checkpoint("run-b", 3, 2_000_000); // a later run, a lower number
        checkpoint("run-b", 4, 0); // in progress when the process died: no _metadata
        Files.createDirectories(dir.resolve("run-b").resolve("shared"));

        Configuration flink = new Configuration();
        assertThat(Resume.apply(options(), flink)).hasValueSatisfying(p -> assertThat(p).endsWith("run-b/chk-3"));
        assertThat(flink.get(StateRecoveryOptions.SAVEPOINT_PATH)).startsWith("file:").endsWith(dir.relativize(newest).toString());
        assertThat(flink.get(StateRecoveryOptions.RESTORE_MODE)).isEqualTo(RecoveryClaimMode.CLAIM);
    }

    @Test
    void freshStartsEmptyAndAnEmptyFolderToo() throws Exception {
        checkpoint("run-a", 7, 1_000_000);
        Configuration flink = new Configuration();
        assertThat(Resume.apply(options("--fresh"), flink)).isEmpty();
        assertThat(flink.getOptional(StateRecoveryOptions.SAVEPOINT_PATH)).isEmpty();
        Configuration none = new Configuration();
        assertThat(Resume.apply(CommandLine.parse(List.of("--job.checkpoint-dir", dir.resolve("absent").toUri().toString())), none)).isEmpty();
        assertThat(none.getOptional(StateRecoveryOptions.SAVEPOINT_PATH)).isEmpty();
    }

    @Test
    void aNamedSavepointIsRestoredWithoutClaimingIt() throws Exception {
        Path savepoint = Files.createDirectories(dir.resolve("savepoint-1"));
        Configuration flink = new Configuration();
        assertThat(Resume.apply(options("--from-savepoint", savepoint.toString()), flink)).hasValue(savepoint.toString());
        assertThat(flink.get(StateRecoveryOptions.RESTORE_MODE)).isEqualTo(RecoveryClaimMode.NO_CLAIM);
        assertThatThrownBy(() -> Resume.apply(options("--from-savepoint", dir.resolve("missing").toString()), new Configuration()))
                .hasMessageContaining("--from-savepoint").hasMessageContaining("missing");
        assertThatThrownBy(() -> Resume.apply(options("--from-savepoint", savepoint.toString(), "--fresh"), new Configuration()))
                .hasMessageContaining("exclude each other");
    }

    @Test
    void checkpointsAreRetainedWhenTheJobIsCancelled() {
        Configuration flink = dev.duet.job.JobRunner.jobConfiguration(options());
        assertThat(flink.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(options().get(JobOptions.FRESH)).isFalse();
    }
}
