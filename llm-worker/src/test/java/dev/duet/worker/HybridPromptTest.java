package dev.duet.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.duet.core.testing.SharedResources;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.worker.internal.CausalLmBackend;
import dev.duet.worker.internal.TokenSequence;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LLaRA-style hybrid prompts: behaviour vectors projected and spliced after item titles. */
class HybridPromptTest {

    private static final int BEHAVIOUR = 8;
    private static final int HIDDEN = 64;

    private static Path modelDir;

    @TempDir
    Path tmp;

    @BeforeAll
    static void locate() {
        modelDir = SharedResources.resolve("models/stories260k");
    }

    private static ScoreRequest request(long seed) {
        Random random = new Random(seed);
        ScoreRequest base = TestRequests.pointwise("hybrid", 3, "Babe (1995)");
        ScoreRequest.Builder b = base.toBuilder().clearHistory();
        for (HistoryItem h : base.getHistoryList()) {
            HistoryItem.Builder item = h.toBuilder();
            for (int i = 0; i < BEHAVIOUR; i++) {
                item.addBehaviour((float) random.nextGaussian());
            }
            b.addHistory(item);
        }
        return b.build();
    }

    private CausalLmBackend backend(float[][] w, float[] bias, String name) throws Exception {
        Path projector = OnnxGraphs.linearProjector(tmp.resolve(name), w, bias);
        return CausalLmBackend.builder().modelDir(modelDir).projector(projector).build();
    }

    private static float[][] randomWeights(long seed, double scale) {
        Random random = new Random(seed);
        float[][] w = new float[BEHAVIOUR][HIDDEN];
        for (float[] row : w) {
            for (int j = 0; j < HIDDEN; j++) {
                row[j] = (float) (random.nextGaussian() * scale);
            }
        }
        return w;
    }

    @Test
    void projectedBehaviourVectorsChangeTheScore() throws Exception {
        float textOnly;
        try (CausalLmBackend plain = CausalLmBackend.builder().modelDir(modelDir).build()) {
            textOnly = plain.scoreBatch(List.of(request(1))).get(0)[0];
        }
        try (CausalLmBackend hybrid = backend(randomWeights(7, 0.5), new float[HIDDEN], "p.onnx")) {
            assertThat(hybrid.modelName()).isEqualTo("causal-lm:stories260k+projector");
            List<float[]> scores = hybrid.scoreBatch(List.of(request(1), request(2)));
            float first = scores.get(0)[0];
            float second = scores.get(1)[0];
            assertThat(first).isBetween(0f, 1f);
            assertThat(Math.abs(first - textOnly)).isGreaterThan(1e-4f);
            // Same text, different behaviour vectors: a different answer.
            assertThat(Math.abs(first - second)).isGreaterThan(1e-4f);
            // Batched together equals alone (splices shift with the left padding).
            float alone = hybrid.scoreBatch(List.of(request(2))).get(0)[0];
            assertThat((double) second).isCloseTo(alone, offset(1e-4));
        }
    }

    @Test
    void zeroProjectorContributesExactlyZeroVectorsAfterEachTitle() throws Exception {
        ScoreRequest r = request(3);
        try (CausalLmBackend hybrid =
                backend(new float[BEHAVIOUR][HIDDEN], new float[HIDDEN], "zero.onnx")) {
            float score = hybrid.scoreBatch(List.of(r)).get(0)[0];
            List<TokenSequence> rows = hybrid.sequencesOf(r);
            assertThat(rows).hasSize(2);
            TokenSequence yes = rows.get(0);
            assertThat(yes.spliceBefore()).hasSize(3);
            // Each splice sits right after the item's title tokens.
            for (int k = 0; k < 3; k++) {
                long[] before = Arrays.copyOfRange(yes.ids(), 1, yes.spliceBefore()[k]);
                assertThat(hybrid.tokenizer().decode(before, true))
                        .endsWith(r.getHistory(k).getTitle());
            }
            double expectedYes = logLikelihoodWithZeroSplices(rows.get(0));
            double expectedNo = logLikelihoodWithZeroSplices(rows.get(1));
            double expected = 1.0 / (1.0 + Math.exp(expectedNo - expectedYes));
            assertThat((double) score).isCloseTo(expected, offset(1e-5));

            try (CausalLmBackend plain = CausalLmBackend.builder().modelDir(modelDir).build()) {
                // A zero vector still takes a position, so it is not the text-only prompt.
                assertThat(Math.abs(plain.scoreBatch(List.of(r)).get(0)[0] - score))
                        .isGreaterThan(1e-6f);
            }
        }
    }

    @Test
    void behaviourOfTheWrongWidthIsRejected() throws Exception {
        try (CausalLmBackend hybrid = backend(randomWeights(1, 1), new float[HIDDEN], "w.onnx")) {
            ScoreRequest r = request(4);
            ScoreRequest bad = r.toBuilder()
                    .setHistory(1, r.getHistory(1).toBuilder().addBehaviour(1f)).build();
            assertThatThrownBy(() -> hybrid.validate(bad))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("request 'hybrid'")
                    .hasMessageContaining("history[1].behaviour has 9 values")
                    .hasMessageContaining("expects 8");
        }
    }

    /** Independent reference: embed.onnx, insert zero rows, decoder.onnx, one unpadded row. */
    private static double logLikelihoodWithZeroSplices(TokenSequence s) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] ids = s.ids();
        float[] tokens;
        try (OrtSession embed = env.createSession(modelDir.resolve("embed.onnx").toString());
                OnnxTensor in = OnnxTensor.createTensor(env, LongBuffer.wrap(ids),
                        new long[] {1, ids.length});
                OrtSession.Result out = embed.run(Map.of("input_ids", in))) {
            FloatBuffer buf = ((OnnxTensor) out.get(0)).getFloatBuffer();
            tokens = new float[buf.remaining()];
            buf.get(tokens);
        }
        int length = ids.length + s.spliceBefore().length;
        float[] embeds = new float[length * HIDDEN];
        int[] positionOf = new int[ids.length];
        int pos = 0;
        int k = 0;
        for (int j = 0; j < ids.length; j++) {
            while (k < s.spliceBefore().length && s.spliceBefore()[k] == j) {
                pos++; // a zero row: the array is already zero
                k++;
            }
            System.arraycopy(tokens, j * HIDDEN, embeds, pos * HIDDEN, HIDDEN);
            positionOf[j] = pos++;
        }
        long[] mask = new long[length];
        long[] positions = new long[length];
        for (int t = 0; t < length; t++) {
            mask[t] = 1;
            positions[t] = t;
        }
        try (OrtSession decoder = env.createSession(modelDir.resolve("decoder.onnx").toString());
                OnnxTensor e = OnnxTensor.createTensor(env, FloatBuffer.wrap(embeds),
                        new long[] {1, length, HIDDEN});
                OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask),
                        new long[] {1, length});
                OnnxTensor p = OnnxTensor.createTensor(env, LongBuffer.wrap(positions),
                        new long[] {1, length});
                OrtSession.Result out = decoder.run(
                        Map.of("inputs_embeds", e, "attention_mask", m, "position_ids", p))) {
            float[][][] logits = (float[][][]) out.get(0).getValue();
            double sum = 0;
            for (int j = s.scoreFrom(); j < ids.length; j++) {
                float[] row = logits[0][positionOf[j] - 1];
                double max = Double.NEGATIVE_INFINITY;
                for (float v : row) {
                    max = Math.max(max, v);
                }
                double z = 0;
                for (float v : row) {
                    z += Math.exp(v - max);
                }
                sum += row[(int) ids[j]] - max - Math.log(z);
            }
            return sum;
        }
    }
}
