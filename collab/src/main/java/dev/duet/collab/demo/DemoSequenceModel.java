package dev.duet.collab.demo;

import dev.duet.core.data.Dataset;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The next-item model that retrieves the candidates of the demo's requests without their own: the
 * one given with {@code --sequence-model}, or none (popularity retrieves). Training one on the
 * demo's data, as {@link DemoModel} trains the CRM, is planned for when the trainer's next-item
 * training is in the build; this is the one place it goes.
 */
final class DemoSequenceModel {

    private DemoSequenceModel() {}

    /** The model file to retrieve with, or null for popularity retrieval. */
    static Path resolve(Path given, Dataset dataset, PrintStream out) {
        if (given == null) {
            out.println("duet demo: no --sequence-model given; popularity retrieves the candidates of requests without"
                    + " their own (" + dataset.name() + ")");
            return null;
        }
        Path file = Files.isDirectory(given) ? given.resolve("model.onnx") : given;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--sequence-model " + given + ": no model.onnx there");
        }
        return file;
    }
}
