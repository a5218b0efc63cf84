package dev.duet.evaluation.calibration;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Dataset;
import dev.duet.core.onnx.ShortCommandLine;
import dev.duet.evaluation.nextitem.NextItemCollaboration;
import dev.duet.evaluation.nextitem.NextItemCollaborationReport;
import dev.duet.trainer.cli.DataOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./duet eval --llm ...}: the CRM, the LLM and the routed collaboration on the test split;
 * with {@code --task next-item}, the sequence model and the LLM side's listwise rerank on LLaRA's
 * next-item cases ({@link NextItemCollaboration}).
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {"Evaluate the CRM alone, the LLM alone and the collaboration at routing budgets of 5, 10, 20"
                + " and 30 %% (entropy, entropy + gate) on the test split; thresholds, gate and head come from a"
                + " calibration on validation.",
            "With --task next-item: the sequence model (./duet train --task next-item) on LLaRA's 20-candidate cases,"
                + " the cases it is least sure about reranked listwise by the LLM side at the same budgets (thresholds"
                + " from validation), HR@1 per route and overall, mean and std over the candidate seeds."})
public final class CollaborationEvalCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Mixin LlmOptions llm;

    @Mixin CalibrationOptions calibration;

    @Option(names = "--model", required = true, paramLabel = "DIR|FILE", description = "The CRM (--task ctr) or the sequence model (--task next-item): a model folder (with model.onnx) or an ONNX file.")
    Path model;

    @Option(names = "--task", defaultValue = "ctr", paramLabel = "TASK", description = "ctr (click-through, the CRM; default) or next-item (a sequence model, LLaRA's setting).")
    String task;

    @Option(names = "--candidate-seeds", defaultValue = "0", paramLabel = "N", description = "next-item: candidate-sampling seeds 1..N (default: the seeds of the trainer's report beside the model, else 1..5).")
    int candidateSeeds;

    @Option(names = "--calibration", paramLabel = "FILE", description = "A file from ./duet calibrate (default: <model folder>/calibration.json when it exists, else calibrate on validation first).")
    Path calibrationFile;

    @Option(names = "--out", paramLabel = "DIR", description = "Report folder (default: <model folder>/collaboration).")
    Path out;

    @Override
    public Integer call() throws Exception {
        int relaunched = ShortCommandLine.relaunchIfNeeded();
        if (relaunched >= 0) {
            return relaunched;
        }
        Path file = Files.isDirectory(model) ? model.resolve("model.onnx") : model;
        if (task.equals("next-item")) {
            return nextItem(file);
        }
        if (!task.equals("ctr")) {
            throw new IllegalArgumentException("--task must be ctr or next-item, got '" + task + "'");
        }
        ModelKind.requireCtr("--model", model, "add --task next-item to evaluate a next-item model with the LLM side");
        Path target = out != null ? out : file.toAbsolutePath().getParent().resolve("collaboration");
        Path calibrationToUse = calibrationFile;
        Path beside = file.toAbsolutePath().getParent().resolve("calibration.json");
        if (calibrationToUse == null && Files.isRegularFile(beside)) {
            // calibrate's default output: the two commands chain without repeating the path.
            calibrationToUse = beside;
            System.out.println("Using the calibration beside the model: " + beside);
        }
        Dataset dataset = data.load(System.out);
        try (CrmModel crm = CrmModel.load(file)) {
            new CollaborationEvaluator(llm, calibration, System.out).run(dataset, crm, calibrationToUse, target);
        }
        return 0;
    }

    private int nextItem(Path file) throws Exception {
        if (calibrationFile != null) {
            throw new IllegalArgumentException("--calibration is for --task ctr; next-item thresholds come from its validation split");
        }
        Path target = out != null ? out : file.toAbsolutePath().getParent().resolve("next-item-collaboration");
        Dataset dataset = data.load(System.out);
        Map<String, Object> report = new NextItemCollaboration(llm, candidateSeeds, System.out).run(dataset, model);
        NextItemCollaborationReport.write(target, report);
        System.out.println("Wrote " + target.resolve("report.json") + ", report.md and next_item_collaboration.png");
        return 0;
    }
}
