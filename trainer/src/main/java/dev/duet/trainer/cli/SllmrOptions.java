package dev.duet.trainer.cli;

import dev.duet.core.routing.GateWeights;
import dev.duet.trainer.model.PairwiseTeacherTerm;
import dev.duet.trainer.teacher.TeacherPlan;
import dev.duet.trainer.teacher.TeacherScores;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code ./duet train}'s options for selective LLM-guided regularization (S-LLMR) and for repeating
 * the DCNv2 over several model seeds. Kept apart from {@link TrainCommand} so that other training
 * tasks can add their own options without touching these.
 */
public final class SllmrOptions {

    @Option(names = "--llm-teacher", paramLabel = "FILE|DIR",
            description = "Teacher scores of the training samples (./duet teacher-scores), or a folder holding "
                    + TeacherScores.FILE_NAME + ": also trains DCNv2 with S-LLMR's pairwise teacher term (dcnv2_sllmr), "
                    + "which becomes model.onnx; the plain DCNv2 is written to model-without-teacher.onnx.")
    Path teacher;

    @Option(names = "--teacher-weight", paramLabel = "LAMBDA", defaultValue = "" + TeacherPlan.DEFAULT_LAMBDA,
            description = "Weight lambda of the teacher term. Default: ${DEFAULT-VALUE}.")
    float lambda;

    @Option(names = "--teacher-margin", paramLabel = "M", defaultValue = "" + TeacherPlan.DEFAULT_MARGIN,
            description = "Hinge margin on the CRM's logit difference. Default: ${DEFAULT-VALUE}.")
    float margin;

    @Option(names = "--teacher-min-gap", paramLabel = "X", defaultValue = "" + TeacherPlan.DEFAULT_MIN_GAP,
            description = "Pairs whose teacher scores differ by less are not used. Default: ${DEFAULT-VALUE}.")
    float minGap;

    @Option(names = "--teacher-gate", paramLabel = "default|one|FILE", defaultValue = "default",
            description = "The gate's weights: 'default' (the documented GateWeights.DEFAULT), 'one' (gate fixed at 1),"
                    + " or a calibration file of ./duet calibrate (its cold, tail, uncertainty, bias). Default: ${DEFAULT-VALUE}.")
    String gate;

    @Option(names = "--teacher-loss", paramLabel = "PAIRWISE|POINTWISE", defaultValue = "PAIRWISE",
            description = "The term's form: S-LLMR's pairwise hinge, or pointwise cross-entropy to the teacher's probability. Default: ${DEFAULT-VALUE}.")
    PairwiseTeacherTerm.Form form;

    @Option(names = "--teacher-text-only", paramLabel = "FILE|DIR",
            description = "Ablation: teacher scores computed without the CRM's probability (./duet teacher-scores --text-only).")
    Path textOnlyTeacher;

    @Option(names = "--ablations",
            description = "With --llm-teacher: also train the ablations (gate off, gate fixed at 1, and the text-only teacher when given).")
    boolean ablations;

    @Option(names = "--model-seeds", split = ",", paramLabel = "SEED",
            description = "Repeat the DCNv2 (and S-LLMR, ablations) over these model seeds, e.g. 42,43,44,45,46; the report"
                    + " gives mean and spread. The first run's seed (--model-seed) is the exported one.")
    List<Long> seeds = new ArrayList<>();

    /** What to do beyond the plain run, or null when nothing was asked. */
    public TeacherPlan plan() throws Exception {
        if (teacher == null) {
            if (ablations || textOnlyTeacher != null) {
                throw new IllegalArgumentException("--ablations and --teacher-text-only need --llm-teacher");
            }
            return seeds.isEmpty() ? null : new TeacherPlan(null, null, 0, 0, 0, null, false, seeds, form);
        }
        GateWeights weights = switch (gate) {
            case "default" -> GateWeights.DEFAULT;
            case "one" -> null;
            default -> GateWeights.load(Path.of(gate));
        };
        TeacherScores scores = TeacherScores.read(teacher);
        TeacherScores textOnly = textOnlyTeacher == null ? null : TeacherScores.read(textOnlyTeacher);
        return new TeacherPlan(scores, textOnly, lambda, margin, minGap, weights, ablations, seeds, form);
    }
}
