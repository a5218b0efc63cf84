package dev.duet.trainer.cli;

import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.trainer.TrainingRun;
import dev.duet.trainer.bench.CrmScoringBenchmark;
import dev.duet.trainer.bench.MatMulPeak;
import dev.duet.trainer.bench.OnnxFlops;
import dev.duet.trainer.eval.Machine;
import dev.duet.trainer.model.Dcnv2Config;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "crm",
        mixinStandardHelpOptions = true,
        description = {
            "JMH: the CRM's cost per sample against batch size 1 to 1024, beside the model's FLOPs per sample",
            "and this machine's measured matrix-product rate (ONNX Runtime MLAS), so the gap is a number."
        })
final class BenchCrmCommand implements Callable<Integer> {

    @Option(names = "--model", description = "Model file or folder (default: train a synthetic one first).")
    Path model;

    @Option(names = "--out", description = "Folder for the results (default: ${DEFAULT-VALUE}).", defaultValue = "runs/bench-crm")
    Path out;

    @Option(names = "--iterations", description = "Measurement iterations per batch size (default: ${DEFAULT-VALUE}).", defaultValue = "5")
    int iterations;

    @Option(names = "--seconds", description = "Seconds per iteration (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int seconds;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        Path file = model;
        if (file == null) {
            System.out.println("No --model: training a model on synthetic data first...");
            Path dir = out.resolve("model");
            new TrainingRun(Dcnv2Config.builder().maxEpochs(2).build(), new PrintStream(OutputStream.nullOutputStream()))
                    .run(new SyntheticDatasetGenerator(SyntheticConfig.builder().build()).generate(), dir);
            file = dir.resolve("model.onnx");
        } else if (Files.isDirectory(file)) {
            file = file.resolve("model.onnx");
        }
        long flops = OnnxFlops.perSample(file);
        double peak = MatMulPeak.measure(1024, 1024, 1024, 5);
        Options options = new OptionsBuilder()
                .include(CrmScoringBenchmark.class.getName())
                .jvmArgsAppend("-D" + CrmScoringBenchmark.MODEL_PROPERTY + "=" + file.toAbsolutePath())
                .forks(1)
                .warmupIterations(2)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(seconds))
                .build();
        Collection<RunResult> results = new Runner(options).run();
        List<String> lines = new ArrayList<>();
        lines.add("Machine: " + Machine.describe().get("description"));
        lines.add(String.format(Locale.ROOT, "Model: %s, %,d FLOPs per sample (matrix products); ONNX Runtime MatMul 1024^3 peak: %.2f GFLOP/s", file, flops, peak / 1e9));
        lines.add("");
        lines.add("| batch | us per call | us per sample | samples/s | GFLOP/s | share of peak |");
        lines.add("|---|---|---|---|---|---|");
        for (RunResult r : results) {
            int batch = Integer.parseInt(r.getParams().getParam("batchSize"));
            double usPerCall = r.getPrimaryResult().getScore();
            double usPerSample = usPerCall / batch;
            double samplesPerSecond = 1e6 / usPerSample;
            double gflops = samplesPerSecond * flops / 1e9;
            lines.add(String.format(Locale.ROOT, "| %d | %.1f | %.2f | %,.0f | %.2f | %.1f %% |", batch, usPerCall, usPerSample, samplesPerSecond, gflops, 100 * gflops * 1e9 / peak));
        }
        String table = String.join("\n", lines) + "\n";
        System.out.println(table);
        Files.writeString(out.resolve("bench-crm.md"), table);
        return 0;
    }
}
