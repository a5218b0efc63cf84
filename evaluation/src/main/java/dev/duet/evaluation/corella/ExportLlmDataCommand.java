package dev.duet.evaluation.corella;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.core.data.Split;
import dev.duet.evaluation.calibration.CrmAnswers;
import dev.duet.evaluation.calibration.ModelKind;
import dev.duet.evaluation.nextitem.NextItemExport;
import dev.duet.evaluation.calibration.Requests;
import dev.duet.evaluation.calibration.Routing;
import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Dataset;
import dev.duet.core.onnx.ShortCommandLine;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.core.samples.SampleSplit;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.trainer.cli.DataOptions;
import dev.duet.worker.internal.PointwisePrompts;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./duet export-llm-data --task next-item} writes LLaRA-style data ({@link
 * dev.duet.evaluation.nextitem.NextItemExport}); {@code --task ctr}: the samples of a split as CoReLLa/TALLRec-style
 * instruction data for fine-tuning a real LLM elsewhere (adapters on a GPU): the worker's own
 * pointwise prompt, the answer, the CRM's probability, entropy and behaviour vectors, and a mark on
 * the samples the CRM finds hard (normalised entropy at or above the validation threshold of the
 * routing budget).
 */
@Command(
        name = "export-llm-data",
        mixinStandardHelpOptions = true,
        description = {"Write CoReLLa/TALLRec-style JSONL (prompt from the worker's template, answer, CRM probability,"
                + " behaviour vectors, hardness, hard samples marked) for fine-tuning a real LLM.",
            "With --task next-item and a sequence model: LLaRA-style JSONL, one line per case (the worker's listwise"
                + " hybrid prompt with [HistoryEmb]/[CansEmb]/[UserEmb] places, the 20 candidates, the answer, the"
                + " sequence model's vectors)."})
public final class ExportLlmDataCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Option(names = "--task", required = true, description = "ctr (click-through samples of a CRM, PROTOCOL.md section 1) or next-item (LLaRA's cases of a sequence model, section 2).")
    String task;

    @Option(names = "--model", required = true, paramLabel = "DIR|FILE", description = "The CRM (--task ctr) or the sequence model (--task next-item): folder with model.onnx, or the file.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The JSONL file to write.")
    Path out;

    @Option(names = "--split", defaultValue = "train", description = "train, valid or test. Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--hard-share", defaultValue = "0.2", description = "Samples at or above the validation entropy quantile of this share are marked hard. Default: ${DEFAULT-VALUE}.")
    double hardShare;

    @Override
    public Integer call() throws Exception {
        int relaunched = ShortCommandLine.relaunchIfNeeded();
        if (relaunched >= 0) {
            return relaunched;
        }
        if ("next-item".equals(task)) {
            Split which = switch (split) {
                case "train" -> Split.TRAIN;
                case "valid" -> Split.VALID;
                case "test" -> Split.TEST;
                default -> throw new IllegalArgumentException("--split must be train, valid or test, got '" + split + "'");
            };
            new NextItemExport(System.out).write(data.load(System.out), model, which, out);
            return 0;
        }
        if (!"ctr".equals(task)) {
            throw new IllegalArgumentException("--task must be ctr or next-item, got '" + task + "'");
        }
        ModelKind.requireCtr("--model", model, "add --task next-item to export LLaRA-style next-item data");
        if (!(hardShare > 0 && hardShare < 1)) {
            throw new IllegalArgumentException("--hard-share must be in (0, 1), got " + hardShare);
        }
        Path file = Files.isDirectory(model) ? model.resolve("model.onnx") : model;
        Dataset dataset = data.load(System.out);
        SampleSplit samples = SampleBuilder.build(dataset);
        List<Sample> chosen = switch (split) {
            case "train" -> samples.train();
            case "valid" -> samples.valid();
            case "test" -> samples.test();
            default -> throw new IllegalArgumentException("--split must be train, valid or test, got '" + split + "'");
        };
        ObjectMapper json = new ObjectMapper();
        PointwisePrompts prompts = PointwisePrompts.defaults();
        int hard = 0;
        try (CrmModel crm = CrmModel.load(file)) {
            double threshold = Routing.threshold(
                    Routing.entropyScores(CrmAnswers.score(crm, samples.valid(), dataset).probability()), hardShare);
            CrmAnswers answers = CrmAnswers.score(crm, chosen, dataset);
            double[] entropy = Routing.entropyScores(answers.probability());
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (BufferedWriter w = Files.newBufferedWriter(out)) {
                for (int i = 0; i < chosen.size(); i++) {
                    Sample s = chosen.get(i);
                    ScoreRequest r = Requests.pointwise(split + "-" + i, s, dataset, answers.probability()[i],
                            answers.userVectors()[i], answers.itemVectors()[i], crm.version());
                    ObjectNode line = json.createObjectNode();
                    line.put("id", r.getRequestId());
                    line.put("task", "ctr");
                    line.put("user_id", s.userId());
                    line.put("item_id", s.itemId());
                    line.put("timestamp_ms", s.timestampMs());
                    line.put("prompt", prompts.prompt(r, 0));
                    line.put("answer", s.label() == 1 ? "yes" : "no");
                    line.put("label", s.label());
                    line.put("rating", s.rating());
                    line.put("crm_probability", answers.probability()[i]);
                    line.put("crm_entropy", entropy[i]);
                    boolean isHard = entropy[i] >= threshold;
                    hard += isHard ? 1 : 0;
                    line.put("hard", isHard);
                    var u = line.putArray("user_behaviour");
                    for (float v : answers.userVectors()[i]) {
                        u.add(v);
                    }
                    var it = line.putArray("item_behaviour");
                    for (float v : answers.itemVectors()[i]) {
                        it.add(v);
                    }
                    w.write(json.writeValueAsString(line));
                    w.newLine();
                }
            }
            System.out.printf("Wrote %,d %s samples (%,d marked hard: normalised CRM entropy >= %.4f, the validation"
                    + " quantile of %.0f %%) to %s%n", chosen.size(), split, hard, threshold, 100 * hardShare, out);
        }
        return 0;
    }
}
