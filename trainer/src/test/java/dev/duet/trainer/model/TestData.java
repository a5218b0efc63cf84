package dev.duet.trainer.model;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.Datasets;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.core.samples.SampleSplit;
import dev.duet.core.testing.SharedResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Encoded data sets for the model tests, loaded once per JVM. */
final class TestData {

    /** A data set's encoding and its three encoded splits. */
    record Encoded(Dataset dataset, SampleSplit split, FeatureEncoding encoding,
            EncodedBatch train, EncodedBatch valid, EncodedBatch test) {}

    private static Encoded ml100k;

    private TestData() {}

    /** MovieLens-100K from ../shared, split and encoded as PROTOCOL.md section 1 says. */
    static synchronized Encoded ml100k() {
        if (ml100k == null) {
            try {
                ml100k = encode(Datasets.load(SharedResources.resolve("data/ml-100k")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return ml100k;
    }

    /** A small synthetic data set (no files needed). */
    static Encoded synthetic(int users, int items, int ratings, long seed) {
        Dataset dataset = new SyntheticDatasetGenerator(SyntheticConfig.builder()
                .seed(seed).users(users).items(items).ratings(ratings).build()).generate();
        return encode(dataset);
    }

    static Encoded encode(Dataset dataset) {
        SampleSplit split = SampleBuilder.build(dataset);
        FeatureEncoding encoding = FeatureEncoding.fit(split.train(), dataset);
        return new Encoded(dataset, split, encoding,
                batch(split.train(), encoding, dataset),
                batch(split.valid(), encoding, dataset),
                batch(split.test(), encoding, dataset));
    }

    static EncodedBatch batch(List<Sample> samples, FeatureEncoding encoding, Dataset dataset) {
        EncodedBatch batch = new EncodedBatch(encoding, Math.max(1, samples.size()));
        for (Sample s : samples) {
            encoding.encode(s, dataset.item(s.itemId()), dataset.user(s.userId()), batch);
        }
        return batch;
    }
}
