package dev.duet.evaluation.calibration;

import ai.onnxruntime.OrtException;
import dev.duet.core.onnx.SharedSessions;
import dev.duet.core.sequence.SequenceModelContract;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which kind of model a command was given, read from the file's {@code duet.model_task} metadata
 * before anything is computed, so that a next-item model where a CTR model belongs (or the reverse)
 * ends the command with one line naming the option, the file and what to do instead.
 */
public final class ModelKind {

    private ModelKind() {}

    /** The model file of an option's value: the value itself, or {@code model.onnx} in a folder. */
    public static Path file(Path option) {
        return Files.isDirectory(option) ? option.resolve("model.onnx") : option;
    }

    /** The task the model says it does; a file without the key is a CTR model (older CRMs carry none). */
    public static String taskOf(Path file) throws OrtException {
        try (SharedSessions.Lease lease = SharedSessions.acquire(file, SharedSessions.Device.CPU, 0)) {
            String task = lease.session().getMetadata().getCustomMetadata().get(SequenceModelContract.META_TASK);
            return task == null ? SequenceModelContract.TASK_CTR : task;
        }
    }

    /**
     * Fails unless {@code option}'s model is a CTR (click) model.
     *
     * @param instead what to run with a next-item model, for the message
     */
    public static void requireCtr(String option, Path value, String instead) throws OrtException {
        Path file = file(value);
        if (!Files.isRegularFile(file)) {
            return; // the loader names the missing file
        }
        String task = taskOf(file);
        if (!SequenceModelContract.TASK_CTR.equals(task)) {
            throw new IllegalArgumentException(option + " " + file + " is a " + task + " model ('"
                    + SequenceModelContract.META_TASK + "' = '" + task + "'), but a CTR (click) model is expected here"
                    + (instead == null || instead.isEmpty() ? "" : "; " + instead));
        }
    }

    /** Fails unless {@code option}'s model is a next-item (sequence) model. */
    public static void requireNextItem(String option, Path value, String instead) throws OrtException {
        Path file = file(value);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + ": sequence model file not found: " + file.toAbsolutePath());
        }
        String task = taskOf(file);
        if (!SequenceModelContract.TASK_NEXT_ITEM.equals(task)) {
            throw new IllegalArgumentException(option + " " + file + " is a " + task + " model ('"
                    + SequenceModelContract.META_TASK + "' = '" + task + "'), but a next-item model (from ./duet train"
                    + " --task next-item) is expected here" + (instead == null || instead.isEmpty() ? "" : "; " + instead));
        }
    }
}
