package dev.duet.evaluation.corella;

import dev.duet.core.data.Dataset;
import dev.duet.core.onnx.ShortCommandLine;
import dev.duet.trainer.cli.DataOptions;
import dev.duet.trainer.corella.ScorerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./duet train-llm --data DIR --crm CRM_DIR --out LLM_DIR}. */
@Command(
        name = "train-llm",
        mixinStandardHelpOptions = true,
        description = "Train the language-model scorer (a frozen pretrained text encoder with trained layers on top)"
                + " the CoReLLa way: on the training split, the CRM's hard samples emphasised, aligned with the CRM's"
                + " behaviour vectors; validation chooses encoder, epoch and blend. Writes scorer.onnx, scorer.json"
                + " and the report with the ablations over seeds.")
public final class TrainLlmCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Option(names = "--crm", required = true, paramLabel = "DIR|FILE", description = "The CRM from ./duet train (folder with model.onnx, or the file); with --task next-item the sequence model from ./duet train --task next-item.")
    Path crm;

    @Option(names = "--task", defaultValue = "ctr", description = "ctr (CoReLLa's scorer on the CRM's click samples; default) or next-item (a reranker of LLaRA's 20 candidates with the sequence model's vectors, served by --llm trained in eval --task next-item).")
    String task;

    @Option(names = "--max-train-cases", defaultValue = "8000", description = "next-item: training cases drawn (seeded) from the training split, 20 scorer rows each (0: all). Default: ${DEFAULT-VALUE}.")
    int maxTrainCases;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder for scorer.onnx, scorer.json and the report.")
    Path out;

    @Option(names = "--encoder", defaultValue = "auto", description = "Frozen text encoder: all-minilm-l6-v2, bge-small-en-v1.5, or auto (try both, keep the better on validation). Default: ${DEFAULT-VALUE}.")
    String encoder;

    @Option(names = "--seeds", defaultValue = "3", description = "Training seeds per variant. Default: ${DEFAULT-VALUE}.")
    int seeds;

    @Option(names = "--no-ablations", description = "Train the full variant only (no ablations).")
    boolean noAblations;

    @Option(names = "--max-epochs", defaultValue = "8", description = "Most epochs (the best on validation is kept). Default: ${DEFAULT-VALUE}.")
    int maxEpochs;

    @Option(names = "--hardness-power", split = ",", defaultValue = "1,3", description = "Sample weight = CRM entropy ^ this (0: none); a list is a grid validation chooses from. Default: ${DEFAULT-VALUE}.")
    List<Double> hardnessPower;

    @Option(names = "--align-weight", split = ",", defaultValue = "0.1", description = "Weight of the alignment loss; a list is a grid. Default: ${DEFAULT-VALUE}.")
    List<Double> alignWeight;

    @Option(names = "--user-behaviour", arity = "1", split = ",", defaultValue = "false", description = "Whether the CRM's user vector is an input (always the alignment target); a list is a grid. Default: ${DEFAULT-VALUE}.")
    List<Boolean> userBehaviour;

    @Option(names = "--blend-on", defaultValue = "hard", description = "Validation rows the final blend (scorer logit, CRM logit) is fitted on: hard (those routed at 20 %%) or all. Default: ${DEFAULT-VALUE}.")
    String blendOn;

    @Option(names = "--dim", defaultValue = "32", description = "Width of the scorer's representations. Default: ${DEFAULT-VALUE}.")
    int dim;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime threads of the encoder (0: its choice). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Override
    public Integer call() throws Exception {
        int relaunched = ShortCommandLine.relaunchIfNeeded();
        if (relaunched >= 0) {
            return relaunched;
        }
        if (task.equals("next-item")) {
            String name = encoder.equals("auto") ? "all-minilm-l6-v2" : encoder;
            var options = new dev.duet.evaluation.nextitem.NextItemReranker.Options(name, maxTrainCases, maxEpochs, dim, 1,
                    threads);
            var report = new dev.duet.evaluation.nextitem.NextItemReranker(options, System.out)
                    .train(data.load(System.out), crm, out);
            new com.fasterxml.jackson.databind.ObjectMapper().enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValue(out.resolve("report.json").toFile(), report);
            return 0;
        }
        if (!task.equals("ctr")) {
            throw new IllegalArgumentException("--task must be ctr or next-item, got '" + task + "'");
        }
        Path crmFile = Files.isDirectory(crm) ? crm.resolve("model.onnx") : crm;
        if (!Files.isRegularFile(crmFile)) {
            throw new IllegalArgumentException("--crm: no CRM at " + crmFile + " (train one with ./duet train --out DIR)");
        }
        dev.duet.evaluation.calibration.ModelKind.requireCtr("--crm", crm, "train-llm trains on a CRM's hard click samples");
        List<String> encoders = switch (encoder) {
            case "auto" -> List.of("all-minilm-l6-v2", "bge-small-en-v1.5");
            case "all-minilm-l6-v2", "bge-small-en-v1.5" -> List.of(encoder);
            default -> throw new IllegalArgumentException("--encoder must be auto, all-minilm-l6-v2 or bge-small-en-v1.5, got '" + encoder + "'");
        };
        if (!blendOn.equals("hard") && !blendOn.equals("all")) {
            throw new IllegalArgumentException("--blend-on must be hard or all, got '" + blendOn + "'");
        }
        List<ScorerConfig> grid = new java.util.ArrayList<>();
        for (double h : hardnessPower) {
            for (double a : alignWeight) {
                for (boolean u : userBehaviour) {
                    grid.add(ScorerConfig.builder().maxEpochs(maxEpochs).hardnessPower(h).alignWeight(a)
                            .useUserBehaviour(u).dim(dim).build());
                }
            }
        }
        Dataset dataset = data.load(System.out);
        new CorellaRun(grid, encoders, seeds, !noAblations, threads, blendOn.equals("hard"), System.out).run(dataset, crmFile, out);
        return 0;
    }
}
