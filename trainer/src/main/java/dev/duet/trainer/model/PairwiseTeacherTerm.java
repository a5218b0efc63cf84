package dev.duet.trainer.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Selective LLM-guided regularization (S-LLMR, PROTOCOL.md): the training term
 * {@code lambda * sum over pairs gate * max(0, m - (s_hi - s_lo))}, where a pair is two training
 * samples of one user, {@code hi} the one the teacher (the LLM side) scores higher, and {@code s}
 * the CRM's logits. The gate {@code sigmoid(w . [cold(u), tail(i), uncertainty] + b)} is a constant
 * of the loss: its features come from the samples and from the CRM's predictions at the start of
 * the epoch, so the CRM cannot lower the term by making itself certain.
 *
 * <p>Each epoch, {@link #epochOrder} pairs every user's training rows at random and shuffles the
 * pairs: a mini-batch holds whole pairs (a user with an odd count leaves one row unpaired), so the
 * term costs no extra forward pass. A pair counts when both rows land in the same worker block of a
 * mini-batch; the loss and its gradient are computed over exactly those pairs.
 */
public final class PairwiseTeacherTerm {

    /**
     * The term's form: {@code PAIRWISE} is S-LLMR's hinge on the teacher's order within a user;
     * {@code POINTWISE} is the alternative measured against it, {@code lambda * gate *
     * crossEntropy(sigmoid(s), teacher)} per scored row (distillation of the teacher's probability).
     */
    public enum Form { PAIRWISE, POINTWISE }

    /** A training row's gate given the CRM's current probability for it. */
    @FunctionalInterface
    public interface RowGate {
        float gate(int row, float crmProbability);
    }

    private final float[] teacher;
    private final String[] users;
    private final float lambda;
    private final float margin;
    private final float minGap;
    /** Per source row: its partner in the current epoch, or -1. */
    final int[] partner;
    /** Per source row: its gate (constant in the epoch). */
    final float[] gate;
    /** Sets the gates each epoch; null keeps every gate at 1 (the "gate fixed at 1" ablation). */
    private RowGate rowGate;
    private Form form = Form.PAIRWISE;

    /**
     * @param teacher per training row, the teacher's score (NaN: no score, never paired)
     * @param users per training row, its user (pairs stay within a user)
     * @param lambda the term's weight
     * @param margin the hinge's margin on the logit difference
     * @param minGap pairs whose teacher scores differ by less are not formed (teacher ties)
     */
    public PairwiseTeacherTerm(float[] teacher, String[] users, float lambda, float margin, float minGap) {
        if (teacher.length != users.length) {
            throw new IllegalArgumentException("teacher scores and users differ in length");
        }
        if (!(lambda >= 0) || !(margin >= 0) || !(minGap >= 0)) {
            throw new IllegalArgumentException("lambda, margin and minimum gap must be >= 0");
        }
        this.teacher = teacher.clone();
        this.users = users.clone();
        this.lambda = lambda;
        this.margin = margin;
        this.minGap = minGap;
        this.partner = new int[teacher.length];
        this.gate = new float[teacher.length];
        Arrays.fill(partner, -1);
        Arrays.fill(gate, 1f);
    }

    public float lambda() {
        return lambda;
    }

    public float margin() {
        return margin;
    }

    public int rows() {
        return teacher.length;
    }

    /** Gates recomputed at every epoch's start from the CRM's predictions then; null: all 1. */
    public PairwiseTeacherTerm withGate(RowGate rowGate) {
        this.rowGate = rowGate;
        return this;
    }

    /** Switches the term's form (default {@link Form#PAIRWISE}). */
    public PairwiseTeacherTerm withForm(Form form) {
        this.form = form;
        return this;
    }

    public Form form() {
        return form;
    }

    /** Whether {@link #prepareEpoch} needs the CRM's current training predictions. */
    public boolean needsPredictions() {
        return rowGate != null;
    }

    /** The mean gate over the rows that have a teacher score (reported per epoch). */
    public double meanGate() {
        double sum = 0;
        int n = 0;
        for (int r = 0; r < gate.length; r++) {
            if (!Float.isNaN(teacher[r])) {
                sum += gate[r];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Recomputes the gates (when gated) and writes the epoch's paired order. */
    public void prepareEpoch(float[] trainProbabilities, Random random, int[] order) {
        if (rowGate != null) {
            for (int r = 0; r < gate.length; r++) {
                gate[r] = rowGate.gate(r, trainProbabilities[r]);
            }
        }
        epochOrder(random, order);
    }

    /** Sets every row's gate (a pair uses the mean of its two rows' gates). */
    public void setGates(float[] gates) {
        if (gates.length != gate.length) {
            throw new IllegalArgumentException("one gate per training row");
        }
        System.arraycopy(gates, 0, gate, 0, gates.length);
    }

    /** Pairs rows explicitly (tests): {@code partners[r]} is r's partner or -1, symmetric. */
    public void setPartners(int[] partners) {
        for (int r = 0; r < partners.length; r++) {
            int q = partners[r];
            if (q >= 0 && partners[q] != r) {
                throw new IllegalArgumentException("partners must be symmetric");
            }
        }
        System.arraycopy(partners, 0, partner, 0, partners.length);
    }

    /**
     * A new epoch's training order: each user's rows paired at random, the pairs (and the rows left
     * unpaired) shuffled, the two rows of a pair adjacent. Writes the order into {@code order}.
     */
    public void epochOrder(Random random, int[] order) {
        if (order.length != teacher.length) {
            throw new IllegalArgumentException("order must cover every training row");
        }
        Map<String, List<Integer>> byUser = new LinkedHashMap<>();
        List<int[]> units = new ArrayList<>();
        for (int r = 0; r < teacher.length; r++) {
            if (Float.isNaN(teacher[r])) {
                units.add(new int[] {r});
            } else {
                byUser.computeIfAbsent(users[r], u -> new ArrayList<>()).add(r);
            }
        }
        Arrays.fill(partner, -1);
        for (List<Integer> rows : byUser.values()) {
            for (int i = rows.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                Integer t = rows.get(i);
                rows.set(i, rows.get(j));
                rows.set(j, t);
            }
            int i = 0;
            for (; i + 1 < rows.size(); i += 2) {
                int a = rows.get(i);
                int b = rows.get(i + 1);
                if (Math.abs(teacher[a] - teacher[b]) >= minGap && teacher[a] != teacher[b]) {
                    partner[a] = b;
                    partner[b] = a;
                }
                units.add(new int[] {a, b});
            }
            if (i < rows.size()) {
                units.add(new int[] {rows.get(i)});
            }
        }
        for (int i = units.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int[] t = units.get(i);
            units.set(i, units.get(j));
            units.set(j, t);
        }
        int k = 0;
        for (int[] unit : units) {
            for (int r : unit) {
                order[k++] = r;
            }
        }
    }

    /**
     * Adds the term over the block's pairs: loss into the return value, gradient into {@code
     * gradLogit}. Position {@code i} of the block holds source row {@code rows[i]}; a pair counts
     * when its two rows are adjacent in the block. {@code active} (may be null) receives whether
     * each pair's hinge is active, by the first row's position (for the gradient check's kinks).
     */
    double addTo(int[] rows, int count, float[] logits, float lossScale, float[] gradLogit, boolean[] active) {
        double loss = 0;
        if (form == Form.POINTWISE) {
            for (int i = 0; i < count; i++) {
                float t = teacher[rows[i]];
                if (Float.isNaN(t)) {
                    continue;
                }
                float weight = lossScale * lambda * gate[rows[i]];
                loss += weight * Matrices.binaryCrossEntropy(logits[i], t);
                gradLogit[i] += weight * (Matrices.sigmoid(logits[i]) - t);
            }
            return loss;
        }
        for (int i = 0; i + 1 < count; i++) {
            int a = rows[i];
            int b = rows[i + 1];
            if (partner[a] != b) {
                continue;
            }
            int hi = teacher[a] > teacher[b] ? i : i + 1;
            int lo = hi == i ? i + 1 : i;
            float weight = lossScale * lambda * 0.5f * (gate[a] + gate[b]);
            float hinge = margin - (logits[hi] - logits[lo]);
            if (active != null) {
                active[i] = hinge > 0f;
            }
            if (hinge > 0f) {
                loss += weight * hinge;
                gradLogit[hi] -= weight;
                gradLogit[lo] += weight;
            }
            i++; // the partner is done
        }
        return loss;
    }
}
