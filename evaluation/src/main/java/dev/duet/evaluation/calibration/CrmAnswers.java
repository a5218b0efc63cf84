package dev.duet.evaluation.calibration;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.crm.CrmScores;
import dev.duet.core.data.Dataset;
import dev.duet.core.features.EncodedBatch;
import dev.duet.core.samples.Sample;
import java.util.List;

/**
 * The CRM's answers for samples, as the job gets them: probability, user and item behaviour
 * vectors (the LLaRA inputs a request carries), scored through ONNX Runtime in chunks.
 *
 * @param probability per sample
 * @param userVectors per sample, the CRM's user behaviour vector
 * @param itemVectors per sample, the CRM's behaviour vector of the target item
 * @param seconds wall time of the scoring
 */
public record CrmAnswers(float[] probability, float[][] userVectors, float[][] itemVectors, double seconds) {

    private static final int CHUNK = 1024;

    public static CrmAnswers score(CrmModel crm, List<Sample> samples, Dataset dataset) throws Exception {
        int n = samples.size();
        float[] probability = new float[n];
        float[][] users = new float[n][];
        float[][] items = new float[n][];
        long start = System.nanoTime();
        EncodedBatch batch = new EncodedBatch(crm.encoding(), CHUNK);
        int from = 0;
        for (int i = 0; i < n; i++) {
            Sample s = samples.get(i);
            crm.encoding().encode(s, dataset.item(s.itemId()), dataset.user(s.userId()), batch);
            if (batch.isFull() || i == n - 1) {
                CrmScores scores = crm.score(batch);
                for (int r = 0; r < batch.size(); r++) {
                    probability[from + r] = scores.probability()[r];
                    users[from + r] = scores.userVector(r);
                    items[from + r] = scores.itemVector(r);
                }
                from += batch.size();
                batch.clear();
            }
        }
        return new CrmAnswers(probability, users, items, (System.nanoTime() - start) / 1e9);
    }

    public int size() {
        return probability.length;
    }
}
