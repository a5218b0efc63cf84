package dev.duet.trainer.nextitem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.sequence.SequenceModelContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The exported graph computes what the DJL forward pass computes, and describes itself. */
class SequenceOnnxExporterTest {

    private static final int ROWS = 41;
    private static final int LENGTH = 10;

    @Test
    void onnxRuntimeEqualsTheDjlForwardPassOnHistoriesWithPadding() throws Exception {
        SasRecConfig config = SasRecConfig.builder().dim(16).blocks(2).maxHistory(LENGTH).dropout(0.3f).seed(5).threads(1).build();
        checkParity(new SasRecModel(config, ROWS, DataType.FLOAT32), "sasrec");
    }

    @Test
    void gru4recOnnxEqualsItsDjlForwardPassToo() throws Exception {
        SasRecConfig config = SasRecConfig.builder().dim(16).maxHistory(LENGTH).dropout(0.3f).seed(6).threads(1).build();
        checkParity(new Gru4RecModel(config, ROWS, DataType.FLOAT32), "gru4rec");
    }

    private static void checkParity(SequenceNetwork network, String name) throws Exception {
        SasRecConfig config = network.config();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i < ROWS; i++) {
            ids.add("item" + i);
        }
        Random random = new Random(7);
        try (SequenceNetwork model = network) {
            // A few training steps move the norms and biases away from their initial values.
            SasRecTrainer.Adam adam = new SasRecTrainer.Adam(model, config);
            for (int step = 0; step < 5; step++) {
                int[][] h = randomHistories(random, 16);
                int[][] y = new int[16][LENGTH];
                for (int[] row : y) {
                    row[LENGTH - 1] = 1 + random.nextInt(ROWS - 1);
                }
                adam.step(h, y);
            }
            byte[] onnx = SequenceOnnxExporter.toBytes(model, ItemVocabulary.of(ids), Map.of(SequenceModelContract.META_DATASET, "tiny"));
            int[][] histories = randomHistories(random, 9);
            histories[0] = new int[LENGTH]; // all padding
            int candidates = 7;
            long[][] cand = new long[histories.length][candidates];
            for (long[] row : cand) {
                for (int c = 0; c < candidates; c++) {
                    row[c] = random.nextInt(ROWS); // row 0 included
                }
            }
            float[][] catalog = model.catalogScores(histories);
            float[][] users = model.userVectors(histories);
            float[] table = model.weights("item_embedding");
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
                    OnnxTensor historyTensor = OnnxTensor.createTensor(env, toLong(histories));
                    OnnxTensor candidateTensor = OnnxTensor.createTensor(env, cand);
                    OrtSession.Result result = session.run(Map.of(
                            SequenceModelContract.INPUT_HISTORY, historyTensor,
                            SequenceModelContract.INPUT_CANDIDATES, candidateTensor))) {
                float[][] onnxCatalog = (float[][]) result.get(SequenceModelContract.OUTPUT_CATALOG_SCORES).get().getValue();
                float[][] onnxScores = (float[][]) result.get(SequenceModelContract.OUTPUT_SCORES).get().getValue();
                float[][] onnxUsers = (float[][]) result.get(SequenceModelContract.OUTPUT_USER_VECTOR).get().getValue();
                float[][][] onnxHistory = (float[][][]) result.get(SequenceModelContract.OUTPUT_HISTORY_VECTORS).get().getValue();
                float[][][] onnxCandidates = (float[][][]) result.get(SequenceModelContract.OUTPUT_CANDIDATE_VECTORS).get().getValue();
                double worst = 0;
                for (int b = 0; b < histories.length; b++) {
                    for (int r = 0; r < ROWS; r++) {
                        worst = Math.max(worst, Math.abs(onnxCatalog[b][r] - catalog[b][r]));
                    }
                    for (int c = 0; c < candidates; c++) {
                        worst = Math.max(worst, Math.abs(onnxScores[b][c] - catalog[b][(int) cand[b][c]]));
                        for (int k = 0; k < config.dim(); k++) {
                            assertThat(onnxCandidates[b][c][k]).isEqualTo(table[(int) cand[b][c] * config.dim() + k]);
                        }
                    }
                    for (int k = 0; k < config.dim(); k++) {
                        worst = Math.max(worst, Math.abs(onnxUsers[b][k] - users[b][k]));
                    }
                    for (int l = 0; l < LENGTH; l++) {
                        for (int k = 0; k < config.dim(); k++) {
                            assertThat(onnxHistory[b][l][k]).isEqualTo(table[histories[b][l] * config.dim() + k]);
                        }
                    }
                }
                assertThat(worst).as("largest difference ONNX Runtime vs DJL").isLessThan(1e-5);
                // The padding row's scores must not leak into a real history's attention: an
                // all-padding history and a one-item history differ.
                assertThat(onnxUsers[0]).isNotEqualTo(onnxUsers[3]);

                Map<String, String> meta = session.getMetadata().getCustomMetadata();
                assertThat(meta).containsEntry(SequenceModelContract.META_TASK, SequenceModelContract.TASK_NEXT_ITEM)
                        .containsEntry(SequenceModelContract.META_MAX_HISTORY, "10")
                        .containsEntry(SequenceModelContract.META_EMBEDDING_DIM, "16")
                        .containsEntry(SequenceModelContract.META_NAME, name)
                        .containsEntry(SequenceModelContract.META_DATASET, "tiny")
                        .containsEntry(SequenceModelContract.META_VERSION, SequenceOnnxExporter.weightDigest(model));
                assertThat(new ObjectMapper().readValue(meta.get(SequenceModelContract.META_ITEM_VOCABULARY), List.class))
                        .isEqualTo(ids);
            }
        }
    }

    @Test
    void refusesAVocabularyOfAnotherSizeAndReservedMetadata() {
        SasRecConfig config = SasRecConfig.builder().dim(4).blocks(1).maxHistory(3).threads(1).build();
        try (SasRecModel model = new SasRecModel(config, 5, DataType.FLOAT32)) {
            assertThatThrownBy(() -> SequenceOnnxExporter.toBytes(model, ItemVocabulary.of(List.of("a", "b")), Map.of()))
                    .hasMessageContaining("3 rows, the model 5");
            assertThatThrownBy(() -> SequenceOnnxExporter.toBytes(model, ItemVocabulary.of(List.of("a", "b", "c", "d")),
                    Map.of(SequenceModelContract.META_TASK, "ctr")))
                    .hasMessageContaining("set by the exporter");
        }
    }

    /** Right-aligned histories of random lengths 0..L (a third of them full). */
    private static int[][] randomHistories(Random random, int n) {
        int[][] out = new int[n][LENGTH];
        for (int i = 0; i < n; i++) {
            int length = i % 3 == 0 ? LENGTH : random.nextInt(LENGTH + 1);
            for (int k = LENGTH - length; k < LENGTH; k++) {
                out[i][k] = 1 + random.nextInt(ROWS - 1);
            }
        }
        return out;
    }

    private static long[][] toLong(int[][] a) {
        long[][] out = new long[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = java.util.Arrays.stream(a[i]).asLongStream().toArray();
        }
        return out;
    }
}
