package dev.duet.evaluation.nextitem;

import java.util.Arrays;

/** One split under one candidate seed: the sequence model's answers and, where asked, the LLM side's. */
final class SeedRun {

    /** Each case's candidate ids, the true item first. */
    final String[][] candidates;
    /** The sequence model's HR@1 credit per case. */
    final double[] sequenceCredit;
    /** {@code [measure][case]}: how unsure the sequence model is ({@link Uncertainty}). */
    final double[][] uncertainty;
    /** The LLM side's HR@1 credit per case; NaN where it was not asked or refused the request. */
    final double[] llmCredit;

    SeedRun(String[][] candidates, int measures) {
        int n = candidates.length;
        this.candidates = candidates;
        this.sequenceCredit = new double[n];
        this.uncertainty = new double[measures][n];
        this.llmCredit = new double[n];
        Arrays.fill(llmCredit, Double.NaN);
    }
}
