package dev.duet.trainer.cli;

import dev.duet.core.data.DataFormatException;
import dev.duet.core.data.Dataset;
import dev.duet.trainer.TrainingRun;
import dev.duet.trainer.nextitem.NextItemData;
import dev.duet.trainer.nextitem.NextItemOptions;
import dev.duet.trainer.nextitem.NextItemReport;
import dev.duet.trainer.nextitem.NextItemTraining;
import dev.duet.trainer.nextitem.SequenceOnnxExporter;
import dev.duet.trainer.rl.RlReport;
import dev.duet.trainer.rl.RlTraining;
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
            "export model.onnx and write report.json, report.md and entropy_deciles.png into --out.",
            "With --task next-item: SASRec, item-kNN and popularity on PROTOCOL.md section 2 (20 candidates, HR@1),",
            "model.onnx (SASRec), report.json, report.md, hr1.png and sasrec_epochs.png.",
            "With --task rl: SNQN or SA2C heads on the SASRec encoder (PROTOCOL.md section 3, docs/rl.md), optionally with",
            "the text-encoder environment (--env llm) and LEA (--lea); model.onnx, report.json, report.md, ndcg10.png."
        })
final class TrainCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Mixin ModelOptions model;

    @Mixin SllmrOptions sllmr;

    @Mixin NextItemOptionsMixin nextItem;

    @Mixin RlCommandOptions rl;

    @Option(names = "--task", paramLabel = "TASK", description = "ctr (the DCNv2 click model, default), next-item (SASRec and its baselines on PROTOCOL.md section 2) or rl (SNQN/SA2C heads, docs/rl.md).", defaultValue = "ctr")
    String task;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).", defaultValue = "runs/latest")
    Path out;

    @Override
    public Integer call() throws Exception {
        switch (task) {
            case "ctr" -> {
                Dataset dataset = data.load(System.out);
                new TrainingRun(model.config(), System.out, sllmr.plan()).run(dataset, out);
            }
            case "next-item" -> {
                NextItemOptions options = nextItem.options(model);
                Dataset dataset = data.load(System.out);
                NextItemData cases;
                try {
                    cases = NextItemData.from(dataset, options.sasrec().maxHistory());
                } catch (DataFormatException e) {
                    throw new DataFormatException(data.source() + ": " + e.getMessage()); // name the folder
                }
                try (NextItemTraining.Result result = NextItemTraining.train(cases, options, System.out)) {
                    Path modelFile = out.resolve("model.onnx");
                    SequenceOnnxExporter.write(result.onnx(), modelFile);
                    NextItemReport.write(out, result.report());
                    if (result.gru4recOnnx().length > 0) {
                        SequenceOnnxExporter.write(result.gru4recOnnx(), out.resolve("gru4rec.onnx"));
                        System.out.println("Exported " + out.resolve("gru4rec.onnx"));
                    }
                    System.out.println("Exported " + modelFile + "; wrote report.json, report.md, hr1.png and sasrec_epochs.png into " + out);
                }
            }
            case "rl" -> {
                var options = rl.options(nextItem.options(model));
                RlTraining.Result result = RlTraining.run(data.load(System.out), options, System.out);
                SequenceOnnxExporter.write(result.onnx(), out.resolve("model.onnx"));
                RlReport.write(out, result.report());
                System.out.println("Exported " + out.resolve("model.onnx") + " (the supervised head); wrote report.json, report.md and ndcg10.png into " + out);
            }
            default -> throw new IllegalArgumentException("--task must be 'ctr', 'next-item' or 'rl', got '" + task + "'");
        }
        return 0;
    }
}
