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

    /**
     * A model file from before the item statistics (encoding format 1, dense input of width 2)
     * still loads through CrmModel and scores as its Java model does.
     */
    @Test
    void formatOneModelFilesStillLoadAndScore() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(data.encoding().toJson());
        root.remove("item_statistics");
        root.put("format", 1);
        FeatureEncoding old = FeatureEncoding.fromJson(json.writeValueAsString(root));
        Dcnv2Model oldModel = Dcnv2Model.create(old, Dcnv2Config.builder().embeddingDim(4).build());
        assertThat(oldModel.denseWidth()).isEqualTo(2);
        Path oldFile = dir.resolve("format-1.onnx");
        OnnxExporter.export(oldModel, old, Map.of(), oldFile);
        List<Sample> test = data.split().test().subList(0, 50);
        EncodedBatch batch = TestData.batch(test, old, data.dataset());
        float[] expected = oldModel.predict(batch);
        try (dev.duet.core.crm.CrmModel crm = dev.duet.core.crm.CrmModel.load(oldFile)) {
            assertThat(crm.encoding().format()).isEqualTo(1);
            EncodedBatch served = TestData.batch(test, crm.encoding(), data.dataset());
            float[] actual = crm.score(served).probability();
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) actual[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(TOLERANCE));
            }
        }
        // A format-2 model refuses a format-1 encoding's batch: the shapes are named.
        assertThatThrownBy(() -> model.predict(batch)).hasMessageContaining("dense 2");
    }

    @Test
    void metadataDescribesTheModel() throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            assertThat(meta).containsEntry(ModelContract.META_NAME, "dcnv2")
                    .containsEntry(ModelContract.META_DATASET, "ml-100k")
                    .containsEntry(ModelContract.META_VERSION, version);
            assertThat(version).matches("[0-9a-f]{12}");
            FeatureEncoding read = FeatureEncoding.fromJson(meta.get(ModelContract.META_ENCODING));
            assertThat(read.toJson()).isEqualTo(data.encoding().toJson());
            assertThat(session.getInputNames()).containsExactlyInAnyOrder(
                    ModelContract.INPUT_CATEGORICAL, ModelContract.INPUT_GENRES,
                    ModelContract.INPUT_HISTORY_ITEMS, ModelContract.INPUT_HISTORY_RATINGS,
                    ModelContract.INPUT_HISTORY_MASK, ModelContract.INPUT_DENSE);
            assertThat(session.getOutputNames()).containsExactlyInAnyOrder(
                    ModelContract.OUTPUT_PROBABILITY, ModelContract.OUTPUT_USER_VECTOR,
                    ModelContract.OUTPUT_ITEM_VECTOR);
        }
    }

    @Test
    void versionFollowsTheWeights() throws Exception {
        String again = OnnxExporter.export(model, data.encoding(), Map.of(), dir.resolve("again.onnx"));
        assertThat(again).isEqualTo(version);
        model.dense()[0] += 1e-3f;
        try {
            assertThat(OnnxExporter.weightDigest(model)).isNotEqualTo(version);
        } finally {
            model.dense()[0] -= 1e-3f;
        }
    }

    @Test
    void rejectsAnEncodingOfOtherShape() {
        TestData.Encoded other = TestData.synthetic(20, 40, 300, 1);
        assertThatThrownBy(() -> OnnxExporter.export(model, other.encoding(), Map.of(),
                dir.resolve("bad.onnx"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("do not match the encoding");
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
