package dev.duet.trainer.cli;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Dataset;
import dev.duet.trainer.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluate an existing model (model.onnx) on a data set's test split, the same way train does.")
final class EvalCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Mixin ModelOptions baselines;

    @Option(names = "--model", required = true, paramLabel = "DIR|FILE", description = "A model folder (with model.onnx) or an ONNX file.")
    Path model;

    @Option(names = "--out", paramLabel = "DIR", description = "Report folder (default: <model folder>/eval).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path file = Files.isDirectory(model) ? model.resolve("model.onnx") : model;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file not found: " + file.toAbsolutePath());
        }
        Dataset dataset = data.load(System.out);
        Path target = out != null ? out : file.toAbsolutePath().getParent().resolve("eval");
        try (CrmModel crm = CrmModel.load(file)) {
            new Evaluator(baselines.config(), System.out).run(dataset, crm, target);
        }
        return 0;
    }
}
