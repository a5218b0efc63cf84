package dev.duet.trainer.cli;

import dev.duet.core.data.Dataset;
import dev.duet.trainer.TrainingRun;
import dev.duet.trainer.eval.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Time a full training run (baselines, DCNv2, export, evaluation) and print a line for docs/benchmarks.md.",
            "Example: ./duet bench train --synthetic-users 6040 --synthetic-items 3706 --synthetic-ratings 1000000"
        })
final class BenchTrainCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Mixin ModelOptions model;

    @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "runs/bench-train")
    Path out;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        Dataset dataset = data.load(System.out);
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        TrainingRun.Result result = new TrainingRun(model.config(), System.out).run(dataset, out);
        double total = (System.nanoTime() - start) / 1e9;
        @SuppressWarnings("unchecked")
        Map<String, Object> dcn = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) result.report().get("models")).get("dcnv2")).get("test");
        String line = String.format(Locale.ROOT,
                "| %s | %,d ratings | load %.1f s | DCNv2 train %.1f s | whole command %.1f s | test AUC %.4f | %s |",
                dataset.name(), dataset.size(), loadSeconds, result.trainSeconds(), total, ((Number) dcn.get("auc")).doubleValue(),
                Machine.describe().get("description"));
        System.out.println(line);
        Files.writeString(out.resolve("bench-train.md"), line + "\n");
        return 0;
    }
}
