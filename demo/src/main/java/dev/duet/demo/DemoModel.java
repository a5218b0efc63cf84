package dev.duet.demo;

import dev.duet.core.data.Dataset;
import dev.duet.trainer.TrainingRun;
import dev.duet.trainer.model.Dcnv2Config;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CRM the demo serves: the one given, or one trained on the demo's data and kept in a cache
 * folder. The cache remembers what it was trained on (data and settings), so a second run with the
 * same data reuses it and a run on other data trains anew instead of serving a mismatched model.
 */
public final class DemoModel {

    static final String STAMP = "demo-model.txt";

    private DemoModel() {}

    /** The model file to serve; trains into {@code cache} when {@code given} is null. */
    public static Path resolve(Path given, Path cache, Dataset dataset, String dataDescription, Dcnv2Config training,
            PrintStream out) throws Exception {
        if (given != null) {
            Path file = Files.isDirectory(given) ? given.resolve("model.onnx") : given;
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--model " + given + ": no model.onnx there");
            }
            return file;
        }
        String stamp = "data: " + dataDescription + "\ntraining: " + training + "\n";
        Path model = cache.resolve("model.onnx");
        Path stampFile = cache.resolve(STAMP);
        if (Files.isRegularFile(model) && Files.isRegularFile(stampFile) && Files.readString(stampFile).equals(stamp)) {
            out.println("duet demo: reusing the model trained earlier on the same data: " + model);
            return model;
        }
        out.println("duet demo: no --model given; training one on " + dataDescription + " into " + cache
                + " (once; later runs reuse it)");
        Files.deleteIfExists(stampFile);
        Path trained = new TrainingRun(training, out).run(dataset, cache).modelFile();
        // The stamp is written last: an interrupted training leaves no stamp and trains again.
        Files.writeString(stampFile, stamp);
        return trained;
    }
}
