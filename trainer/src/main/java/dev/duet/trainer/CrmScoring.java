package dev.duet.trainer;

import dev.duet.core.crm.CrmModel;
import dev.duet.core.crm.CrmScores;
import dev.duet.core.data.Dataset;
import dev.duet.core.features.EncodedBatch;
import dev.duet.core.samples.Sample;
import java.util.List;

/** Scores samples with an exported model through ONNX Runtime, in chunks, as the job does. */
public final class CrmScoring {

    static final int CHUNK = 4096;

    private CrmScoring() {}

    /** The model's click probabilities for the samples, in order. */
    public static float[] probabilities(CrmModel crm, List<Sample> samples, Dataset dataset) throws Exception {
        float[] out = new float[samples.size()];
        EncodedBatch batch = new EncodedBatch(crm.encoding(), CHUNK);
        int written = 0;
        for (Sample s : samples) {
            crm.encoding().encode(s, dataset.item(s.itemId()), dataset.user(s.userId()), batch);
            if (batch.isFull()) {
                written = flush(crm, batch, out, written);
            }
        }
        flush(crm, batch, out, written);
        return out;
    }

    private static int flush(CrmModel crm, EncodedBatch batch, float[] out, int written) throws Exception {
        CrmScores scores = crm.score(batch);
        System.arraycopy(scores.probability(), 0, out, written, batch.size());
        written += batch.size();
        batch.clear();
        return written;
    }
}
