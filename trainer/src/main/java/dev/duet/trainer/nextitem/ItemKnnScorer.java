package dev.duet.trainer.nextitem;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Item-to-item co-occurrence baseline. Two items co-occur when one is within the history window of
 * the other in a training case (the pairs (history item, next item) of every training case, counted
 * both ways). Similarity is the cosine of the co-occurrence counts, {@code co(a,b) / sqrt(deg(a)
 * deg(b))}; a candidate's score is the sum of its similarities to the history items, the most
 * recent weighted 1 and each older one by a further factor {@code decay}.
 */
public final class ItemKnnScorer implements NextItemScorer {

    private final int rows;
    private final int[][] neighbours;
    private final float[][] similarities;
    private final double decay;

    private ItemKnnScorer(int rows, int[][] neighbours, float[][] similarities, double decay) {
        this.rows = rows;
        this.neighbours = neighbours;
        this.similarities = similarities;
        this.decay = decay;
    }

    public static ItemKnnScorer fit(EncodedCases training, int rows, double decay) {
        if (!(decay > 0 && decay <= 1)) {
            throw new IllegalArgumentException("decay must be in (0, 1], got " + decay);
        }
        List<Map<Integer, Integer>> co = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            co.add(new HashMap<>());
        }
        double[] degree = new double[rows];
        for (int i = 0; i < training.size(); i++) {
            int next = training.targets()[i];
            if (next == 0) {
                continue;
            }
            for (int h : training.histories()[i]) {
                if (h == 0 || h == next) {
                    continue;
                }
                co.get(h).merge(next, 1, Integer::sum);
                co.get(next).merge(h, 1, Integer::sum);
                degree[h]++;
                degree[next]++;
            }
        }
        int[][] neighbours = new int[rows][];
        float[][] similarities = new float[rows][];
        for (int a = 0; a < rows; a++) {
            Map<Integer, Integer> m = co.get(a);
            neighbours[a] = new int[m.size()];
            similarities[a] = new float[m.size()];
            int k = 0;
            for (Map.Entry<Integer, Integer> e : m.entrySet()) {
                neighbours[a][k] = e.getKey();
                similarities[a][k] = (float) (e.getValue() / Math.sqrt(degree[a] * degree[e.getKey()]));
                k++;
            }
        }
        return new ItemKnnScorer(rows, neighbours, similarities, decay);
    }

    /** The same similarities with another recency decay (chosen on validation). */
    public ItemKnnScorer withDecay(double newDecay) {
        return new ItemKnnScorer(rows, neighbours, similarities, newDecay);
    }

    public double decay() {
        return decay;
    }

    @Override
    public String name() {
        return "item_knn";
    }

    @Override
    public float[][] catalogScores(int[][] histories) {
        float[][] out = new float[histories.length][rows];
        for (int i = 0; i < histories.length; i++) {
            int[] h = histories[i];
            float weight = 1f;
            for (int k = h.length - 1; k >= 0; k--) {
                int item = h[k];
                if (item == 0) {
                    weight *= (float) decay; // padding, or an item without a row: keeps its place
                    continue;
                }
                int[] nb = neighbours[item];
                float[] sim = similarities[item];
                for (int j = 0; j < nb.length; j++) {
                    out[i][nb[j]] += weight * sim[j];
                }
                weight *= (float) decay;
            }
            out[i][0] = 0;
        }
        return out;
    }
}
