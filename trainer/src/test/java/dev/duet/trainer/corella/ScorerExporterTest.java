package dev.duet.trainer.corella;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.duet.core.scorer.ScorerBatch;
import dev.duet.core.scorer.ScorerContract;
import dev.duet.core.scorer.ScorerSettings;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported graph computes what the DJL forward pass computes, for every variant. */
class ScorerExporterTest {

    @TempDir Path dir;

    @Test
    void onnxRuntimeEqualsTheDjlForwardPass() throws Exception {
        ScorerSettings s = ScorerFixtures.settings(16, 6, 5);
        ScorerBatch batch = ScorerFixtures.batch(s, 37, 20, 8);
        float[] labels = ScorerFixtures.labels(37, 2);
        for (ScorerConfig c : new ScorerConfig[] {
                ScorerConfig.builder().dim(8).hidden(9).maxEpochs(2).batchSize(8).seed(4).build(),
                ScorerConfig.builder().dim(8).hidden(9).maxEpochs(1).batchSize(8).useBehaviour(false)
                        .useCrmLogit(false).alignWeight(0).seed(5).build()}) {
            // A couple of real training epochs, so the weights are not just the initial ones.
            TrainedScorer scorer = new ScorerTrainer(s, c, System.out, "test")
                    .train(batch, labels, batch, z -> 0).scorer().withBlend(0.8, 0.3, -0.1);
            float[] expected = scorer.logits(batch);
            Path folder = dir.resolve("s" + c.seed());
            ScorerExporter.export(scorer, Map.of(), folder);
            float[] actual = run(folder.resolve(ScorerContract.GRAPH_FILE), batch, s);
            assertThat(actual).hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat((double) actual[i]).as("row " + i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    private static float[] run(Path file, ScorerBatch batch, ScorerSettings s) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        ScorerBatch.Tensors t = batch.tensors(0, batch.size());
        int n = t.rows();
        Map<String, OnnxTensor> feed = new HashMap<>();
        try (OrtSession session = env.createSession(file.toString())) {
            feed.put(ScorerContract.CANDIDATE_TEXT, OnnxTensor.createTensor(env, FloatBuffer.wrap(t.candidateText()), new long[] {n, s.textDim()}));
            feed.put(ScorerContract.HISTORY_TEXT, OnnxTensor.createTensor(env, FloatBuffer.wrap(t.historyText()), new long[] {n, s.historyLength(), s.textDim()}));
            feed.put(ScorerContract.HISTORY_RATING, OnnxTensor.createTensor(env, FloatBuffer.wrap(t.historyRating()), new long[] {n, s.historyLength()}));
            feed.put(ScorerContract.HISTORY_MASK, OnnxTensor.createTensor(env, FloatBuffer.wrap(t.historyMask()), new long[] {n, s.historyLength()}));
            feed.put(ScorerContract.USER_BEHAVIOUR, OnnxTensor.createTensor(env, FloatBuffer.wrap(t.userBehaviour()), new long[] {n, s.behaviourDim()}));
            feed.put(ScorerContract.ITEM_BEHAVIOUR, OnnxTensor.createTensor(env, FloatBuffer.wrap(t.itemBehaviour()), new long[] {n, s.behaviourDim()}));
            feed.put(ScorerContract.DENSE, OnnxTensor.createTensor(env, FloatBuffer.wrap(t.dense()), new long[] {n, ScorerContract.DENSE_WIDTH}));
            try (OrtSession.Result result = session.run(feed)) {
                float[] logit = new float[n];
                ((OnnxTensor) result.get(ScorerContract.LOGIT).orElseThrow()).getFloatBuffer().get(logit);
                return logit;
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }
}
