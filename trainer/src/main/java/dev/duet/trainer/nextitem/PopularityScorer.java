package dev.duet.trainer.nextitem;

import java.util.Arrays;

/** The baseline that ignores the history: how often each item was the next item in training. */
public final class PopularityScorer implements NextItemScorer {

    private final float[] counts;

    private PopularityScorer(float[] counts) {
        this.counts = counts;
    }

    public static PopularityScorer fit(EncodedCases training, int rows) {
        float[] counts = new float[rows];
        for (int target : training.targets()) {
            counts[target]++;
        }
        counts[0] = 0;
        return new PopularityScorer(counts);
    }

    @Override
    public String name() {
        return "popularity";
    }

    @Override
    public float[][] catalogScores(int[][] histories) {
        float[][] out = new float[histories.length][];
        Arrays.fill(out, counts); // read-only: every history gets the same scores
        return out;
    }
}
