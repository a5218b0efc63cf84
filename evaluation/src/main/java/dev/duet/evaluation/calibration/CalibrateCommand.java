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

/** {@code ./duet calibrate}: fits head, gate and thresholds on validation and writes the calibration file. */
@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description = "Fit the text-encoder head, the selective gate and the entropy thresholds per routing"
                + " budget on the validation split (LLM run in-process), into one calibration JSON file.")
public final class CalibrateCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Mixin LlmOptions llm;

    @Mixin CalibrationOptions calibration;

    @Option(names = "--model", required = true, paramLabel = "DIR|FILE", description = "The CRM: a model folder (with model.onnx) or an ONNX file.")
    Path model;

    @Option(names = "--out", paramLabel = "FILE", description = "Calibration file (default: <model folder>/calibration.json).")
    Path out;

    @Override
    public Integer call() throws Exception {
        int relaunched = ShortCommandLine.relaunchIfNeeded();
        if (relaunched >= 0) {
            return relaunched;
        }
        Path file = Files.isDirectory(model) ? model.resolve("model.onnx") : model;
        ModelKind.requireCtr("--model", model, "calibrate fits the CTR router; a next-item model is evaluated with"
                + " ./duet eval --task next-item --model DIR --llm BACKEND (thresholds from validation there)");
        Path target = out != null ? out : file.toAbsolutePath().getParent().resolve("calibration.json");
        Dataset dataset = data.load(System.out);
        try (CrmModel crm = CrmModel.load(file)) {
            calibration.calibrator(llm, System.out).run(dataset, crm, target);
        }
        return 0;
    }
}
