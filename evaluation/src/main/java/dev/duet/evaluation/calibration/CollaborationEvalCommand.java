package dev.duet.evaluation.calibration;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Dataset;
import dev.duet.core.onnx.ShortCommandLine;
import dev.duet.trainer.cli.DataOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./duet eval --llm ...}: the CRM, the LLM and the routed collaboration on the test split. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluate the CRM alone, the LLM alone and the collaboration at routing budgets of 5, 10, 20"
                + " and 30 %% (entropy, entropy + gate) on the test split; thresholds, gate and head come from a"
                + " calibration on validation.")
public final class CollaborationEvalCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Mixin LlmOptions llm;

    @Mixin CalibrationOptions calibration;

    @Option(names = "--model", required = true, paramLabel = "DIR|FILE", description = "The CRM: a model folder (with model.onnx) or an ONNX file.")
    Path model;

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
}
