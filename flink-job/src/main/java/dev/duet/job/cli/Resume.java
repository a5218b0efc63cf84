package dev.duet.job.cli;

import dev.duet.job.JobOptions;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@code ./duet job} restores its state from: by default the latest completed checkpoint in
 * {@code job.checkpoint-dir} (any job's: each run has its own job id, {@code <dir>/<job id>/chk-N}),
 * so that a process that died comes back with every user's history as of that checkpoint and the
 * input offsets stored with it; {@code --from-savepoint PATH} names one; {@code --fresh} starts
 * empty. A checkpoint is complete when its {@code _metadata} file exists (Flink writes it last).
 */
public final class Resume {

    private static final Logger LOG = LoggerFactory.getLogger(Resume.class);
    static final String METADATA = "_metadata";

    private Resume() {}

    /** A completed checkpoint: its folder and when its metadata was written. */
    public record Checkpoint(String path, long completedAtMs) {}

    /**
     * Sets Flink's restore settings in {@code flink} from the options and logs what it chose.
     * Resuming our own checkpoint claims it (Flink deletes it once a newer one exists); a named
     * savepoint is never claimed.
     */
    public static Optional<String> apply(Configuration options, Configuration flink) throws IOException {
        String savepoint = options.get(JobOptions.FROM_SAVEPOINT);
        if (!savepoint.isBlank()) {
            if (options.get(JobOptions.FRESH)) {
                throw new IllegalArgumentException("--fresh and --from-savepoint exclude each other");
            }
            Path path = new Path(savepoint);
            if (!path.getFileSystem().exists(path)) {
                throw new IllegalArgumentException("--from-savepoint: " + savepoint + " does not exist");
            }
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            flink.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.NO_CLAIM);
            LOG.info("Restoring the savepoint {} (--from-savepoint)", savepoint);
            return Optional.of(savepoint);
        }
        String dir = options.get(JobOptions.CHECKPOINT_DIR);
        if (options.get(JobOptions.FRESH)) {
            LOG.info("Starting with empty state (--fresh); checkpoints in {} are left alone", dir);
            return Optional.empty();
        }
        Optional<Checkpoint> latest = latest(dir);
        if (latest.isEmpty()) {
            LOG.info("No completed checkpoint in {}: starting with empty state", dir);
            return Optional.empty();
        }
        Checkpoint c = latest.get();
        flink.set(StateRecoveryOptions.SAVEPOINT_PATH, c.path());
        flink.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.CLAIM);
        LOG.info("Resuming from checkpoint {} (completed {}), the latest in {}; --fresh starts with empty state instead",
                c.path(), Instant.ofEpochMilli(c.completedAtMs()), dir);
        return Optional.of(c.path());
    }

    /** The completed checkpoint of {@code dir} whose metadata was written last, if any. */
    public static Optional<Checkpoint> latest(String dir) throws IOException {
        Path root = new Path(dir);
        FileSystem fs = root.getFileSystem();
        if (!fs.exists(root)) {
            return Optional.empty();
        }
        Checkpoint best = null;
        for (FileStatus job : list(fs, root)) {
            if (!job.isDir()) {
                continue;
            }
            for (FileStatus chk : list(fs, job.getPath())) {
                if (!chk.isDir() || !chk.getPath().getName().startsWith("chk-")) {
                    continue;
                }
                Path metadata = new Path(chk.getPath(), METADATA);
                if (!fs.exists(metadata)) {
                    continue; // in progress when the process died
                }
                long at = fs.getFileStatus(metadata).getModificationTime();
                if (best == null || at > best.completedAtMs()
                        || (at == best.completedAtMs() && checkpointNumber(chk.getPath()) > checkpointNumber(new Path(best.path())))) {
                    best = new Checkpoint(chk.getPath().toString(), at);
                }
            }
        }
        return Optional.ofNullable(best);
    }

    private static FileStatus[] list(FileSystem fs, Path dir) throws IOException {
        FileStatus[] entries = fs.listStatus(dir);
        return entries == null ? new FileStatus[0] : entries;
    }

    private static long checkpointNumber(Path chk) {
        try {
            return Long.parseLong(chk.getName().substring("chk-".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
