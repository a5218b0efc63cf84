package dev.duet.job.testing;

import dev.duet.core.data.Dataset;
import dev.duet.core.data.SyntheticConfig;
import dev.duet.core.data.SyntheticDatasetGenerator;
import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.features.ModelContract;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.core.samples.SampleSplit;
import dev.duet.trainer.model.Dcnv2Config;
import dev.duet.trainer.model.Dcnv2Model;
import dev.duet.trainer.model.Dcnv2Trainer;
import dev.duet.trainer.model.OnnxExporter;
import dev.duet.trainer.model.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A tiny DCNv2 trained by the real trainer on synthetic data and exported to ONNX, once per JVM.
 * The data set has user profiles; the job learns them from the events that carry them.
 */
public final class TrainedModelFixture {

    private static TrainedModelFixture instance;

    public final Dataset dataset;
    public final SampleSplit samples;
    public final FeatureEncoding encoding;
    public final Dcnv2Model model;
    public final Path file;

    private TrainedModelFixture(Dataset dataset, SampleSplit samples, FeatureEncoding encoding, Dcnv2Model model, Path file) {
        this.dataset = dataset;
        this.samples = samples;
        this.encoding = encoding;
        this.model = model;
        this.file = file;
    }

    public static synchronized TrainedModelFixture get() throws Exception {
        if (instance == null) {
            Dataset full = new SyntheticDatasetGenerator(SyntheticConfig.builder()
                            .seed(11).users(60).items(120).ratings(3000).days(30).build())
                    .generate();
            Dataset dataset = full;
            SampleSplit split = SampleBuilder.build(dataset);
            FeatureEncoding encoding = FeatureEncoding.fit(split.train(), dataset);
            EncodedBatch train = encode(encoding, split.train(), dataset);
            Dcnv2Config config = Dcnv2Config.builder()
                    .embeddingDim(8).crossLayers(1).deepLayers(16).maxEpochs(2).batchSize(128).threads(1).seed(3).build();
            Dcnv2Model model = Dcnv2Trainer.train(encoding, train, null, config, TrainingListener.silent()).model();
            Path dir = Files.createTempDirectory("duet-fixture-model");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve("model.onnx");
            OnnxExporter.export(model, encoding, Map.of(ModelContract.META_VERSION, "fixture-v1"), file);
            file.toFile().deleteOnExit();
            instance = new TrainedModelFixture(dataset, split, encoding, model, file);
        }
        return instance;
    }

    public static EncodedBatch encode(FeatureEncoding encoding, List<Sample> samples, Dataset dataset) {
        EncodedBatch batch = new EncodedBatch(encoding, Math.max(1, samples.size()));
        for (Sample s : samples) {
            encoding.encode(s, dataset.item(s.itemId()), dataset.user(s.userId()), batch);
        }
        return batch;
    }
}
