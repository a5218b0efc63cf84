package dev.duet.demo;

import dev.duet.evaluation.corella.CorellaRun;
import dev.duet.core.data.Dataset;
import dev.duet.core.crm.CrmModel;
import dev.duet.core.scorer.ScorerContract;
import dev.duet.trainer.corella.ScorerConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The trained scorer the demo's worker serves ({@code --llm trained}): the folder given, or one
 * trained the CoReLLa way ({@link CorellaRun}: full variant, one seed, MiniLM) on the demo's data
 * against the demo's CRM, kept beside the cached CRM. Like {@link DemoModel}, the cache remembers
 * what it was trained for (data and CRM version) and trains anew when either changed.
 */
public final class DemoScorer {

    static final String STAMP = "demo-scorer.txt";

    private DemoScorer() {}

    /** The scorer folder to serve; trains into {@code cache} when {@code given} is null. */
    public static Path resolve(String given, Path cache, Dataset dataset, String dataDescription, Path crmFile,
            PrintStream out) throws Exception {
        if (given != null) {
            Path dir = Path.of(given);
            if (!Files.isRegularFile(dir.resolve(ScorerContract.GRAPH_FILE))) {
                throw new IllegalArgumentException("--llm-model " + given + ": no " + ScorerContract.GRAPH_FILE
                        + " there (train one with ./duet train-llm --out DIR)");
            }
            return dir;
        }
        String crmVersion;
        try (CrmModel crm = CrmModel.load(crmFile)) {
            crmVersion = crm.version();
        }
        ScorerConfig config = ScorerConfig.builder().build();
        String stamp = "data: " + dataDescription + "\ncrm: " + crmVersion + "\nconfig: " + config + "\n";
        Path stampFile = cache.resolve(STAMP);
        if (Files.isRegularFile(cache.resolve(ScorerContract.GRAPH_FILE)) && Files.isRegularFile(stampFile)
                && Files.readString(stampFile).equals(stamp)) {
            out.println("duet demo: reusing the scorer trained earlier for this CRM and data: " + cache);
            return cache;
        }
        out.println("duet demo: no --llm-model given; training the language-model scorer for this CRM into " + cache
                + " (once; later runs reuse it)");
        Files.createDirectories(cache);
        Files.deleteIfExists(stampFile);
        new CorellaRun(List.of(config), List.of("all-minilm-l6-v2"), 1, false, 1, true, out)
                .run(dataset, crmFile, cache);
        // The stamp is written last: an interrupted training leaves no stamp and trains again.
        Files.writeString(stampFile, stamp);
        return cache;
    }
}
