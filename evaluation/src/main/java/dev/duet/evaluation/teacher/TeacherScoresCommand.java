package dev.duet.evaluation.teacher;

import dev.duet.evaluation.calibration.CrmAnswers;
import dev.duet.evaluation.calibration.LlmOptions;
import dev.duet.evaluation.calibration.LlmRunner;
import dev.duet.core.crm.CrmModel;
import dev.duet.core.data.Dataset;
import dev.duet.core.onnx.ShortCommandLine;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.core.samples.SampleSplit;
import dev.duet.trainer.cli.DataOptions;
import dev.duet.trainer.teacher.TeacherScores;
import dev.duet.worker.ScoringBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./duet teacher-scores}: the LLM side's scores for every training sample, computed once and
 * written to the file {@code ./duet train --llm-teacher} reads (format: {@link TeacherScores}). The
 * backend is built by the worker's own options ({@link LlmOptions}), so any backend the worker
 * knows works here; requests are built as the streaming job builds them, with the CRM's answers.
 */
@Command(
        name = "teacher-scores",
        mixinStandardHelpOptions = true,
        description = "Score every training sample with an LLM backend (in-process) and write the teacher-score file"
                + " that ./duet train --llm-teacher reads (S-LLMR).")
public final class TeacherScoresCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Mixin LlmOptions llm;

    @Option(names = "--model", required = true, paramLabel = "DIR|FILE",
            description = "The CRM whose answers (probability, behaviour vectors) the requests carry, as in the job.")
    Path model;

    @Option(names = "--calibration", paramLabel = "FILE",
            description = "text-encoder: the calibration whose head scores (default: <model folder>/calibration.json when it exists,"
                    + " else the head's default weights).")
    Path calibration;

    @Option(names = "--text-only",
            description = "Leave the CRM out of the requests (probability 0.5, no behaviour vectors): the teacher judges"
                    + " from the item texts and the history alone (the 'text-only' ablation).")
    boolean textOnly;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Teacher-score file (default: <model folder>/" + TeacherScores.FILE_NAME
                    + ", or teacher-scores-text-only.tsv with --text-only).")
    Path out;

    @Override
    public Integer call() throws Exception {
        int relaunched = ShortCommandLine.relaunchIfNeeded();
        if (relaunched >= 0) {
            return relaunched;
        }
        long started = System.nanoTime();
        Path file = Files.isDirectory(model) ? model.resolve("model.onnx") : model;
        Path folder = file.toAbsolutePath().getParent();
        Path target = out != null ? out : folder.resolve(textOnly ? "teacher-scores-text-only.tsv" : TeacherScores.FILE_NAME);
        Path head = calibration;
        if (head == null && llm.isTextEncoder() && Files.isRegularFile(folder.resolve("calibration.json"))) {
            head = folder.resolve("calibration.json");
        }
        if (head != null && !Files.isRegularFile(head)) {
            throw new IllegalArgumentException("--calibration: no file at " + head);
        }
        dev.duet.evaluation.calibration.ModelKind.requireCtr("--model", model, "teacher scores are for the CTR model");
        Dataset dataset = data.load(System.out);
        SampleSplit split = SampleBuilder.build(dataset);
        List<Sample> train = split.train();
        Map<String, String> meta = new LinkedHashMap<>();
        try (CrmModel crm = CrmModel.load(file);
                ScoringBackend backend = llm.open(llm.isTextEncoder() ? head : null)) {
            CrmAnswers answers = CrmAnswers.score(crm, train, dataset);
            if (textOnly) {
                float[] half = new float[train.size()];
                Arrays.fill(half, 0.5f);
                float[][] none = new float[train.size()][0];
                answers = new CrmAnswers(half, none, none, answers.seconds());
            }
            LlmRunner.Answers scored = new LlmRunner(backend, llm.batch(), System.out)
                    .run(train, dataset, answers, crm.version(), "teacher", false);
            double seconds = (System.nanoTime() - started) / 1e9;
            meta.put("teacher", backend.modelName());
            meta.put("teacher_version", backend.modelVersion());
            meta.put("head", head == null ? "backend default" : head.toString());
            meta.put("crm", textOnly ? "none (text-only: probability 0.5, no behaviour vectors)" : file + " (version " + crm.version() + ")");
            meta.put("dataset", dataset.name());
            meta.put("split", "training split of PROTOCOL.md section 1");
            meta.put("samples", Integer.toString(train.size()));
            meta.put("rejected", Integer.toString(scored.rejected()));
            meta.put("llm_seconds", String.format(java.util.Locale.ROOT, "%.1f", scored.seconds()));
            meta.put("scoring_seconds", String.format(java.util.Locale.ROOT, "%.1f", seconds));
            meta.put("created", Instant.now().toString());
            TeacherScores.write(target, train, scored.probability(), meta);
            System.out.printf("Wrote %s: %,d training samples scored by %s in %.1f s (%.1f s in the LLM, %d rejected and given"
                    + " the CRM's answer)%n", target, train.size(), backend.modelName(), seconds, scored.seconds(), scored.rejected());
        }
        return 0;
    }
}
