package dev.duet.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.duet.core.features.EncodedBatch;
import dev.duet.core.features.FeatureEncoding;
import dev.duet.core.features.ModelContract;
import dev.duet.core.samples.Sample;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported graph computes what the Java model computes, on real MovieLens-100K samples. */
class OnnxExporterTest {

    private static final double TOLERANCE = 1e-5;

    @TempDir
    static Path dir;

    private static TestData.Encoded data;
    private static Dcnv2Model model;
    private static Path file;
    private static String version;

    @BeforeAll
    static void exportTrainedModel() throws Exception {
        data = TestData.ml100k();
        Dcnv2Config config = Dcnv2Config.builder().embeddingDim(8).maxEpochs(1).build();
        model = Dcnv2Trainer.train(data.encoding(), data.train(), null, config,
                TrainingListener.silent()).model();
        file = dir.resolve("model.onnx");
        version = OnnxExporter.export(model, data.encoding(),
                Map.of(ModelContract.META_DATASET, "ml-100k"), file);
    }

    @Test
    void outputsMatchJavaForwardPass() throws OrtException {
        // Test samples: mostly new users, some new items, short and empty histories.
        List<Sample> test = data.split().test();
        for (int size : new int[] {1, 37}) {
            for (int from : new int[] {0, 5000, test.size() - size}) {
                EncodedBatch batch = TestData.batch(test.subList(from, from + size),
                        data.encoding(), data.dataset());
                compare(model, file, batch);
            }
        }
    }

    /**
     * The optional history representations (liked and not-liked pools, target-aware attention,
     * the target's dot products with the pools) in the graph equal the Java forward pass. The
     * weights are random and large enough that the attention is far from uniform.
     */
    @Test
    void historyFeaturesMatchJavaForwardPass() throws Exception {
        Dcnv2Config config = Dcnv2Config.builder().embeddingDim(8).initStd(0.5f)
                .historyFeatures(java.util.EnumSet.allOf(HistoryFeature.class)).build();
        Dcnv2Model featured = Dcnv2Model.create(data.encoding(), config);
        ParameterGroup attention = featured.layout().group("attention.weight");
        for (int j = attention.offset(); j < attention.end(); j++) {
            featured.dense()[j] *= 4f;
        }
        featured.parametersChanged();
        Path featuredFile = dir.resolve("history-features.onnx");
        OnnxExporter.export(featured, data.encoding(), Map.of(), featuredFile);
        List<Sample> test = data.split().test();
        for (int size : new int[] {1, 37}) {
            for (int from : new int[] {0, 5000, test.size() - size}) {
                compare(featured, featuredFile, TestData.batch(test.subList(from, from + size),
                        data.encoding(), data.dataset()));
            }
        }
        // The attention is not uniform: with its bilinear weight at 0 the model scores otherwise.
        EncodedBatch batch = TestData.batch(test.subList(0, 37), data.encoding(), data.dataset());
        float[] sharp = featured.predict(batch);
        java.util.Arrays.fill(featured.dense(), attention.offset(), attention.end(), 0f);
        featured.parametersChanged();
        float[] uniform = featured.predict(batch);
        double change = 0;
        for (int i = 0; i < sharp.length; i++) {
            change = Math.max(change, Math.abs(sharp[i] - uniform[i]));
        }
        assertThat(change).as("largest change of a probability").isGreaterThan(1e-3);
    }

    private static void compare(Dcnv2Model model, Path file, EncodedBatch batch) throws OrtException {
        int n = batch.size();
        Dcnv2Model.Outputs java = model.infer(batch);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            inputs.put(ModelContract.INPUT_CATEGORICAL, longs(env, batch.categorical, n, batch.fields()));
            inputs.put(ModelContract.INPUT_GENRES, floats(env, batch.genreWeights, n, batch.genres()));
            inputs.put(ModelContract.INPUT_HISTORY_ITEMS, longs(env, batch.historyItems, n, batch.history()));
            inputs.put(ModelContract.INPUT_HISTORY_RATINGS, floats(env, batch.historyRatings, n, batch.history()));
            inputs.put(ModelContract.INPUT_HISTORY_MASK, floats(env, batch.historyMask, n, batch.history()));
            inputs.put(ModelContract.INPUT_DENSE, floats(env, batch.dense, n, batch.denseWidth()));
            try (OrtSession.Result result = session.run(inputs)) {
                float[] p = values(result, ModelContract.OUTPUT_PROBABILITY, n);
                float[] user = values(result, ModelContract.OUTPUT_USER_VECTOR, n * model.embeddingDim());
                float[] item = values(result, ModelContract.OUTPUT_ITEM_VECTOR, n * model.embeddingDim());
                assertClose(p, java.probability(), "probability");
                assertClose(user, java.userVector(), "user_vector");
                assertClose(item, java.itemVector(), "item_vector");
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] values(OrtSession.Result result, String name, int expected) {
        OnnxTensor tensor = (OnnxTensor) result.get(name).orElseThrow();
        FloatBuffer buffer = tensor.getFloatBuffer();
        assertThat(buffer.remaining()).as(name + " size").isEqualTo(expected);
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    private static void assertClose(float[] onnx, float[] java, String what) {
        assertThat(onnx).hasSameSizeAs(java);
        boolean varied = false;
        for (int i = 0; i < java.length; i++) {
            assertThat((double) onnx[i]).as("%s[%d]", what, i)
                    .isCloseTo(java[i], org.assertj.core.data.Offset.offset(TOLERANCE));
            varied |= java[i] != java[0];
        }
        if (java.length > 1) {
            assertThat(varied).as(what + " varies across rows").isTrue();
        }
    }

    private static OnnxTensor longs(OrtEnvironment env, long[] data, int n, int width)
            throws OrtException {
        return OnnxTensor.createTensor(env, LongBuffer.wrap(data, 0, n * width), new long[] {n, width});
    }

    private static OnnxTensor floats(OrtEnvironment env, float[] data, int n, int width)
            throws OrtException {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(data, 0, n * width), new long[] {n, width});
    }
}
