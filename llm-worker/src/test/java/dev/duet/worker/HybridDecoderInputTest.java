package dev.duet.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.duet.core.testing.SharedResources;
import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import dev.duet.worker.internal.CausalLmBackend;
import dev.duet.worker.internal.HybridPrompts;
import dev.duet.worker.internal.Prompt;
import dev.duet.worker.internal.TokenSequence;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LLaRA's hybrid listwise prompt reaches the decoder: with stories260k and a linear projector, the
 * rows of {@code inputs_embeds} at the behaviour places are projector(vector) for the user, every
 * history item and every candidate; changing one history vector changes exactly its rows; and the
 * scores are those of the decoder run on exactly these inputs.
 */
class HybridDecoderInputTest {

    private static final int BEHAVIOUR = 6;
    private static final int HIDDEN = 64;
    private static final String[] HISTORY = {"Radiohead", "Portishead", "Massive Attack", "Bjork"};
    private static final String[] CANDIDATES = {"Muse", "Coldplay", "Air"};

    private static Path modelDir;

    @TempDir static Path tmp;

    private static float[][] weights;
    private static float[] bias;
    private static Path projector;

    @BeforeAll
    static void setUp() throws Exception {
        modelDir = SharedResources.resolve("models/stories260k");
        Random random = new Random(11);
        weights = new float[BEHAVIOUR][HIDDEN];
        for (float[] row : weights) {
            for (int j = 0; j < HIDDEN; j++) {
                row[j] = (float) random.nextGaussian() * 0.3f;
            }
        }
        bias = new float[HIDDEN];
        for (int j = 0; j < HIDDEN; j++) {
            bias[j] = (float) random.nextGaussian() * 0.1f;
        }
        projector = OnnxGraphs.linearProjector(tmp.resolve("projector.onnx"), weights, bias);
    }

    private static float[] vector(Random random) {
        float[] v = new float[BEHAVIOUR];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static ScoreRequest request(float[] user, float[][] history, float[][] candidates) {
        ScoreRequest.Builder b = ScoreRequest.newBuilder().setRequestId("next").setUserId("u1")
                .setTask(Task.TASK_LISTWISE);
        for (float v : user) {
            b.addUserBehaviour(v);
        }
        for (int i = 0; i < HISTORY.length; i++) {
            HistoryItem.Builder h = HistoryItem.newBuilder().setItemId("h" + i).setTitle(HISTORY[i]);
            for (float v : history[i]) {
                h.addBehaviour(v);
            }
            b.addHistory(h);
        }
        for (int c = 0; c < CANDIDATES.length; c++) {
            Candidate.Builder cand = Candidate.newBuilder().setItemId("c" + c).setTitle(CANDIDATES[c]);
            for (float v : candidates[c]) {
                cand.addBehaviour(v);
            }
            b.addCandidates(cand);
        }
        return b.build();
    }

    private static float[] project(float[] v) {
        float[] out = bias.clone();
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < HIDDEN; j++) {
                out[j] += v[i] * weights[i][j];
            }
        }
        return out;
    }

    @Test
    void everyBehaviourVectorIsProjectedIntoItsPlaceInTheDecoderInput() throws Exception {
        Random random = new Random(5);
        float[] user = vector(random);
        float[][] history = new float[HISTORY.length][];
        float[][] candidates = new float[CANDIDATES.length][];
        for (int i = 0; i < history.length; i++) {
            history[i] = vector(random);
        }
        for (int c = 0; c < candidates.length; c++) {
            candidates[c] = vector(random);
        }
        ScoreRequest r = request(user, history, candidates);
        try (CausalLmBackend backend = CausalLmBackend.builder().modelDir(modelDir).projector(projector).build()) {
            backend.validate(r);
            CausalLmBackend.DecoderInput input = backend.decoderInput(r);
            // One model row per candidate (its title as the continuation), each carrying every vector:
            // the user's first, then the history items', then the candidates', in prompt order.
            assertThat(input.rows()).isEqualTo(CANDIDATES.length);
            float[][] expected = new float[1 + HISTORY.length + CANDIDATES.length][];
            expected[0] = project(user);
            for (int i = 0; i < HISTORY.length; i++) {
                expected[1 + i] = project(history[i]);
            }
            for (int c = 0; c < CANDIDATES.length; c++) {
                expected[1 + HISTORY.length + c] = project(candidates[c]);
            }
            for (int b = 0; b < input.rows(); b++) {
                TokenSequence row = input.projected().get(b);
                assertThat(row.splices().length).isEqualTo(expected.length);
                // The user's vector right after BOS.
                assertThat(row.spliceBefore()[0]).isEqualTo(1);
                for (int k = 0; k < expected.length; k++) {
                    float[] fed = input.at(b, input.splicePosition(b, k));
                    assertThat(fed).as("row %d, place %d", b, k).containsExactly(expected[k], offset(1e-5f));
                }
            }
            // Each history and candidate place follows that item's title tokens.
            TokenSequence first = input.raw().get(0);
            for (int k = 1; k < expected.length; k++) {
                long[] before = java.util.Arrays.copyOfRange(first.ids(), 1, first.spliceBefore()[k]);
                String title = k <= HISTORY.length ? HISTORY[k - 1] : CANDIDATES[k - 1 - HISTORY.length];
                assertThat(backend.tokenizer().decode(before, true)).endsWith(title);
            }

            // Change one history vector: exactly its rows change, in every model row.
            float[][] changed = history.clone();
            changed[2] = vector(random);
            CausalLmBackend.DecoderInput other = backend.decoderInput(request(user, changed, candidates));
            assertThat(other.width()).isEqualTo(input.width());
            for (int b = 0; b < input.rows(); b++) {
                int place = input.splicePosition(b, 1 + 2);
                for (int t = 0; t < input.width(); t++) {
                    if (t == place) {
                        assertThat(other.at(b, t)).containsExactly(project(changed[2]), offset(1e-5f));
                        assertThat(other.at(b, t)).isNotEqualTo(input.at(b, t));
                    } else {
                        assertThat(other.at(b, t)).as("row %d, position %d", b, t).isEqualTo(input.at(b, t));
                    }
                }
            }

            // The scores are the decoder's on exactly these inputs_embeds.
            float[] scores = backend.scoreBatch(List.of(r)).get(0);
            double[] reference = decoderLogLikelihoods(input);
            for (int c = 0; c < CANDIDATES.length; c++) {
                assertThat((double) scores[c]).isCloseTo(reference[c], offset(1e-4));
            }
            float[] otherScores = backend.scoreBatch(List.of(request(user, changed, candidates))).get(0);
            assertThat(otherScores).isNotEqualTo(scores);
        }
    }

    @Test
    void withoutAProjectorThePromptIsTextOnly() throws Exception {
        Random random = new Random(6);
        float[][] history = {vector(random), vector(random), vector(random), vector(random)};
        float[][] candidates = {vector(random), vector(random), vector(random)};
        ScoreRequest r = request(vector(random), history, candidates);
        try (CausalLmBackend plain = CausalLmBackend.builder().modelDir(modelDir).build()) {
            for (TokenSequence row : plain.sequencesOf(r)) {
                assertThat(row.hasSplices()).isFalse();
            }
        }
    }

    @Test
    void userAndCandidateVectorsOfTheWrongWidthAreRejected() throws Exception {
        Random random = new Random(7);
        float[][] history = {vector(random), vector(random), vector(random), vector(random)};
        float[][] candidates = {vector(random), vector(random), vector(random)};
        ScoreRequest r = request(vector(random), history, candidates);
        try (CausalLmBackend backend = CausalLmBackend.builder().modelDir(modelDir).projector(projector).build()) {
            ScoreRequest badUser = r.toBuilder().addUserBehaviour(1f).build();
            assertThatThrownBy(() -> backend.validate(badUser)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("user_behaviour has 7 values");
            ScoreRequest badCandidate = r.toBuilder().setCandidates(1, r.getCandidates(1).toBuilder().addBehaviour(1f)).build();
            assertThatThrownBy(() -> backend.validate(badCandidate)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("candidates[1].behaviour has 7 values");
        }
    }

    @Test
    void renderedPromptsNameEveryPlace() {
        Random random = new Random(8);
        float[][] history = {vector(random), vector(random), vector(random), vector(random)};
        float[][] candidates = {vector(random), vector(random), vector(random)};
        Prompt prompt = HybridPrompts.defaults().listwise(request(vector(random), history, candidates));
        HybridPrompts.Rendered text = HybridPrompts.render(prompt, HybridPrompts.LLARA_PLACEHOLDERS);
        assertThat(text.text()).startsWith("[UserEmb] Below is the rating history of a user: Radiohead [HistoryEmb];"
                + " Portishead [HistoryEmb]; Massive Attack [HistoryEmb]; Bjork [HistoryEmb]. From these candidates:"
                + " Muse [CansEmb]; Coldplay [CansEmb]; Air [CansEmb], the item the user will like most is:");
        assertThat(text.places()).hasSize(8);
        for (HybridPrompts.Place p : text.places()) {
            assertThat(text.text().substring(p.charStart(), p.charStart() + p.length()))
                    .isEqualTo(HybridPrompts.LLARA_PLACEHOLDERS.get(p.kind()));
        }
    }

    /** Independent reference: decoder.onnx on the given inputs_embeds, log-likelihood of each row's answer. */
    private static double[] decoderLogLikelihoods(CausalLmBackend.DecoderInput input) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int rows = input.rows();
        int width = input.width();
        long[] mask = new long[rows * width];
        long[] positions = new long[rows * width];
        for (int b = 0; b < rows; b++) {
            int len = input.projected().get(b).effectiveLength();
            for (int t = 0; t < len; t++) {
                mask[b * width + width - len + t] = 1;
                positions[b * width + width - len + t] = t;
            }
        }
        double[] out = new double[rows];
        try (OrtSession decoder = env.createSession(modelDir.resolve("decoder.onnx").toString());
                OnnxTensor e = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.inputsEmbeds()),
                        new long[] {rows, width, HIDDEN});
                OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {rows, width});
                OnnxTensor p = OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {rows, width});
                OrtSession.Result result = decoder.run(Map.of("inputs_embeds", e, "attention_mask", m, "position_ids", p))) {
            float[][][] logits = (float[][][]) result.get(0).getValue();
            for (int b = 0; b < rows; b++) {
                TokenSequence s = input.projected().get(b);
                int offset = width - s.effectiveLength();
                double sum = 0;
                for (int j = s.scoreFrom(); j < s.ids().length; j++) {
                    float[] row = logits[b][offset + s.effectivePosition(j) - 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (float v : row) {
                        max = Math.max(max, v);
                    }
                    double z = 0;
                    for (float v : row) {
                        z += Math.exp(v - max);
                    }
                    sum += row[(int) s.ids()[j]] - max - Math.log(z);
                }
                out[b] = sum;
            }
        }
        return out;
    }
}
