package dev.duet.trainer.corella;

import dev.duet.core.scorer.ScorerBatch;
import dev.duet.core.scorer.ScorerSettings;
import java.util.Map;
import java.util.Random;

/** Small random scorer inputs for the tests: unit text vectors, ragged histories, some empty. */
final class ScorerFixtures {

    private ScorerFixtures() {}

    static ScorerSettings settings(int textDim, int behaviourDim, int history) {
        return new ScorerSettings("all-minilm-l6-v2", textDim, behaviourDim, history, 3f, 2f, 1e-3f, null, Map.of());
    }

    static ScorerBatch batch(ScorerSettings s, int rows, int texts, long seed) {
        Random random = new Random(seed);
        ScorerBatch.Builder b = new ScorerBatch.Builder(s);
        for (int t = 0; t < texts; t++) {
            float[] v = new float[s.textDim()];
            double norm = 0;
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) random.nextGaussian();
                norm += v[i] * v[i];
            }
            for (int i = 0; i < v.length; i++) {
                v[i] /= (float) Math.sqrt(norm);
            }
            b.addText(v);
        }
        for (int r = 0; r < rows; r++) {
            int length = r % 7 == 0 ? 0 : random.nextInt(s.historyLength() + 3);
            int[] history = new int[length];
            float[] ratings = new float[length];
            for (int j = 0; j < length; j++) {
                history[j] = random.nextInt(texts);
                ratings[j] = 1 + random.nextInt(5);
            }
            float[] user = r % 5 == 0 ? new float[0] : gaussian(random, s.behaviourDim());
            float[] item = gaussian(random, s.behaviourDim());
            b.addRow(random.nextInt(texts), history, ratings, random.nextFloat(), user, item);
        }
        return b.build();
    }

    static float[] labels(int rows, long seed) {
        Random random = new Random(seed);
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = random.nextBoolean() ? 1 : 0;
        }
        return y;
    }

    private static float[] gaussian(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * 0.5);
        }
        return v;
    }
}
