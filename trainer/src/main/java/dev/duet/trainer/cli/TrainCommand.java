package dev.duet.trainer.cli;

import dev.duet.core.data.Dataset;
import dev.duet.trainer.TrainingRun;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train the DCNv2 CRM and the baselines (item popularity, logistic regression) on the protocol's split,",
            "export model.onnx and write report.json, report.md and entropy_deciles.png into --out."
        })
final class TrainCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Mixin ModelOptions model;

    @Mixin SllmrOptions sllmr;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "runs/latest")
    Path out;

    @Override
    public Integer call() throws Exception {
        Dataset dataset = data.load(System.out);
        new TrainingRun(model.config(), System.out, sllmr.plan()).run(dataset, out);
        return 0;
    }
}
