package dev.duet.trainer.teacher;

import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.routing.GateWeights;
import dev.duet.core.routing.SelectiveGate;
import dev.duet.core.samples.Sample;
import dev.duet.trainer.model.PairwiseTeacherTerm;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds S-LLMR's training term for the training split: the teacher's score per sample, the pairs'
 * users, and the gate {@code sigmoid(w . [cold(u), tail(i), uncertainty] + b)} with the features of
 * {@link SelectiveGate}: {@code cold} from the sample's history length, {@code tail} from the
 * item's training-split popularity (the encoding's item statistics), {@code uncertainty} from the
 * CRM's prediction at the start of each epoch.
 */
public final class SllmrTraining {

    /**
     * One model trained with a teacher term.
     *
     * @param name the report key, e.g. {@code dcnv2_sllmr}
     * @param description what differs, for the report
     * @param teacher the teacher's scores
     * @param lambda the term's weight (0: the term is off, the paired epoch order stays)
     * @param gate the gate's weights; null: gate fixed at 1
     */
    public record Variant(String name, String description, TeacherScores teacher, float lambda, GateWeights gate) {}

    private SllmrTraining() {}

    /** The main model and, when asked, its ablations. */
    public static List<Variant> variants(TeacherPlan plan) {
        List<Variant> out = new ArrayList<>();
        String gate = plan.gate() == null ? "gate fixed at 1" : "gate " + plan.gate();
        out.add(new Variant("dcnv2_sllmr", "DCNv2 + S-LLMR (pairwise teacher term, " + gate + ")",
                plan.teacher(), plan.lambda(), plan.gate()));
        if (plan.ablations()) {
            out.add(new Variant("dcnv2_sllmr_gate_off", "ablation: gate 0 everywhere (lambda 0), same paired epoch order",
                    plan.teacher(), 0f, plan.gate()));
            out.add(new Variant("dcnv2_sllmr_gate_one", "ablation: gate fixed at 1", plan.teacher(), plan.lambda(), null));
            if (plan.textOnly() != null) {
                out.add(new Variant("dcnv2_sllmr_text_only", "ablation: teacher scored without the CRM's probability",
                        plan.textOnly(), plan.lambda(), plan.gate()));
            }
        }
        return out;
    }

    /** The term for one variant over the training samples (aligned with the encoded batch). */
    public static PairwiseTeacherTerm term(Variant v, TeacherPlan plan, List<Sample> train, FeatureEncoding encoding) {
        int n = train.size();
        float[] scores = v.teacher().scores(train);
        String[] users = new String[n];
        for (int i = 0; i < n; i++) {
            users[i] = train.get(i).userId();
        }
        PairwiseTeacherTerm term = new PairwiseTeacherTerm(scores, users, v.lambda(), plan.margin(), plan.minGap())
                .withForm(plan.form());
        if (v.gate() != null) {
            SelectiveGate gate = new SelectiveGate(v.gate());
            float[] cold = new float[n];
            float[] tail = new float[n];
            for (int i = 0; i < n; i++) {
                Sample s = train.get(i);
                cold[i] = (float) gate.cold(s.historyLength());
                tail[i] = (float) gate.tail(encoding.itemPopularity(s.itemId()));
            }
            term.withGate((row, p) -> (float) gate.combine(cold[row], tail[row], SelectiveGate.uncertainty(p)));
        }
        return term;
    }

    /** How many training samples have a teacher score. */
    public static int covered(TeacherScores teacher, List<Sample> train) {
        int covered = 0;
        for (Sample s : train) {
            covered += Float.isNaN(teacher.score(s)) ? 0 : 1;
        }
        return covered;
    }
}
