package dev.duet.trainer.eval;

import dev.duet.core.data.Dataset;
import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.samples.Sample;
import java.util.List;

/** Encodes whole splits at once: training and evaluation read them as one big batch. */
public final class Encoded {

    private Encoded() {}

    /** All samples of a split in one batch, labels included. */
    public static EncodedBatch split(List<Sample> samples, FeatureEncoding encoding, Dataset dataset) {
        EncodedBatch batch = new EncodedBatch(encoding, Math.max(1, samples.size()));
        for (Sample s : samples) {
            encoding.encode(s, dataset.item(s.itemId()), dataset.user(s.userId()), batch);
        }
        return batch;
    }

    /** The labels of the filled rows. */
    public static float[] labels(EncodedBatch batch) {
        return java.util.Arrays.copyOf(batch.labels, batch.size());
    }
}
