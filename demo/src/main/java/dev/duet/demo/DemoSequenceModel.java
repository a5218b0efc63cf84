package dev.duet.demo;

import dev.duet.core.data.Dataset;
import dev.duet.trainer.nextitem.NextItemData;
import dev.duet.trainer.nextitem.NextItemOptions;
import dev.duet.trainer.nextitem.NextItemReport;
import dev.duet.trainer.nextitem.NextItemTraining;
import dev.duet.trainer.nextitem.SasRecConfig;
import dev.duet.trainer.nextitem.SequenceOnnxExporter;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The next-item model that retrieves the candidates of the demo's requests without their own: the
 * one given with {@code --sequence-model}; none with {@code --popularity-retrieval}; otherwise a
 * SASRec trained on the demo's data (the chronological 8:1:1 split of its sequences, so the replayed
 * last part of the data is not trained on) and cached beside the CRM, as {@link DemoModel} does.
 */
final class DemoSequenceModel {

    static final String STAMP = "demo-sequence-model.txt";

    /**
     * Fewer epochs than {@code ./duet train --task next-item} allows (40, patience 5): the demo
     * trains on first use, and validation picks the best of these few.
     */
    static final SasRecConfig TRAINING = SasRecConfig.builder().maxEpochs(8).patience(2).threads(2).build();

    private DemoSequenceModel() {}

    /** The model file to retrieve with, or null for popularity retrieval. */
    static Path resolve(Path given, boolean train, Path cache, Dataset dataset, String dataDescription, PrintStream out)
            throws Exception {
        if (given != null) {
            Path file = Files.isDirectory(given) ? given.resolve("model.onnx") : given;
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--sequence-model " + given + ": no model.onnx there");
            }
            return file;
        }
        if (!train) {
            out.println("duet demo: --popularity-retrieval: popularity retrieves the candidates of requests without"
                    + " their own (" + dataset.name() + ")");
            return null;
        }
        String stamp = "data: " + dataDescription + "\ntraining: " + TRAINING + "\n";
        Path model = cache.resolve("model.onnx");
        Path stampFile = cache.resolve(STAMP);
        if (Files.isRegularFile(model) && Files.isRegularFile(stampFile) && Files.readString(stampFile).equals(stamp)) {
            out.println("duet demo: reusing the sequence model trained earlier on the same data: " + model);
            return model;
        }
        out.println("duet demo: no --sequence-model given; training a SASRec on " + dataDescription + " into " + cache
                + " (once; later runs reuse it)");
        Files.createDirectories(cache);
        Files.deleteIfExists(stampFile);
        NextItemData cases = NextItemData.from(dataset, TRAINING.maxHistory());
        try (NextItemTraining.Result result = NextItemTraining.train(cases, NextItemOptions.defaults(TRAINING), out)) {
            SequenceOnnxExporter.write(result.onnx(), model);
            NextItemReport.write(cache, result.report());
        }
        // The stamp is written last: an interrupted training leaves no stamp and trains again.
        Files.writeString(stampFile, stamp);
        return model;
    }
}
