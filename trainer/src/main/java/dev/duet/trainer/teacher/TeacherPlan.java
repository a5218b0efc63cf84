package dev.duet.trainer.teacher;

import dev.duet.core.routing.GateWeights;
import dev.duet.trainer.model.PairwiseTeacherTerm;
import java.util.List;

/**
 * What {@code ./duet train} does beyond the plain DCNv2: S-LLMR with a teacher, its ablations, and
 * repetitions over model seeds.
 *
 * @param teacher the teacher's scores of the training samples; null: no S-LLMR model
 * @param textOnly ablation teacher without the CRM's input; may be null
 * @param lambda the teacher term's weight
 * @param margin the hinge's margin on the logit difference
 * @param minGap least teacher-score difference of a pair
 * @param gate the gate's weights; null: the gate is fixed at 1
 * @param ablations also train gate off, gate fixed at 1 and (with {@code textOnly}) text-only
 * @param seeds model seeds to repeat over (empty: only the run's own seed)
 * @param form pairwise (S-LLMR's hinge) or pointwise (distillation), see {@link PairwiseTeacherTerm.Form}
 */
public record TeacherPlan(TeacherScores teacher, TeacherScores textOnly, float lambda, float margin,
        float minGap, GateWeights gate, boolean ablations, List<Long> seeds, PairwiseTeacherTerm.Form form) {

    /**
     * Defaults chosen on the ML-100K validation split (docs/sllmr.md); the weight over 0.3, 1, 3,
     * 10 and 30, where validation AUC flattens from 10 on: the smaller weight of that plateau.
     */
    public static final float DEFAULT_LAMBDA = 10f;
    public static final float DEFAULT_MARGIN = 1.0f;
    public static final float DEFAULT_MIN_GAP = 0.0f;

    public TeacherPlan {
        seeds = List.copyOf(seeds);
        if (teacher != null && !(lambda >= 0 && margin >= 0 && minGap >= 0)) {
            throw new IllegalArgumentException("--teacher-weight, --teacher-margin and --teacher-min-gap must be >= 0");
        }
    }
}
