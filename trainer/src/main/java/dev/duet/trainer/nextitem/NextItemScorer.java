package dev.duet.trainer.nextitem;

/** A next-item model as the evaluation sees it: a score for every catalog row given histories. */
public interface NextItemScorer {

    /** The model's key in reports, e.g. "sasrec". */
    String name();

    /**
     * Scores of every row (0..N; row 0, padding, is never ranked) for each right-aligned history.
     *
     * @param histories {@code [n][L]} rows, most recent last, 0 = padding
     * @return {@code [n][N + 1]}, higher is likelier
     */
    float[][] catalogScores(int[][] histories);
}
