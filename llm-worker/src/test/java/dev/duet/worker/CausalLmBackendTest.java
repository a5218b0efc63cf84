package dev.duet.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.duet.core.testing.SharedResources;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import dev.duet.worker.internal.CausalLm;
import dev.duet.worker.internal.CausalLmBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CausalLmBackendTest {

    private static Path modelDir;
    private static CausalLmBackend backend;

    @BeforeAll
    static void open() throws Exception {
        modelDir = SharedResources.resolve("models/stories260k");
        backend = CausalLmBackend.builder().modelDir(modelDir).build();
    }

    @AfterAll
    static void close() throws Exception {
        backend.close();
    }

    @Test
    void greedyDecodingFromBosReproducesTheReferenceContinuation() throws Exception {
        String reference = Files.readString(modelDir.resolve("reference_greedy.txt"));
        CausalLm lm = backend.languageModel();
        List<Long> ids = new ArrayList<>(List.of(1L));
        String decoded = "";
        while (decoded.length() < 300 && ids.size() < 500) {
            float[] logits = lm.nextTokenLogits(ids.stream().mapToLong(Long::longValue).toArray());
            int best = 0;
            for (int v = 1; v < logits.length; v++) {
                if (logits[v] > logits[best]) {
                    best = v;
                }
            }
            if (best == 2) {
                break;
            }
            ids.add((long) best);
            decoded = backend.tokenizer().decode(
                    ids.stream().mapToLong(Long::longValue).toArray(), true);
        }
        assertThat(decoded.length()).isGreaterThanOrEqualTo(250);
        assertThat(decoded.substring(0, 250)).isEqualTo(reference.substring(0, 250));
    }

    @Test
    void answersAreScoredOnAllTheirTokensNotTheSharedFirstOne() throws Exception {
        List<float[]> replies = backend.scoreBatch(List.of(
                TestRequests.pointwise("a", 3, "Babe (1995)"),
                TestRequests.pointwise("b", 5, "Heat (1995)")));
        float first = replies.get(0)[0];
        float second = replies.get(1)[0];
        // First-token scoring gives exactly 0.5 here: " yes" and " no" share their first token.
        assertThat(first).isBetween(0f, 1f).isNotCloseTo(0.5f, offset(1e-3f));
        assertThat(second).isBetween(0f, 1f).isNotCloseTo(0.5f, offset(1e-3f));
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void leftPaddedBatchEqualsOneByOneScoring() throws Exception {
        List<ScoreRequest> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(TestRequests.pointwise("p" + i, i, i % 2 == 0 ? "Fargo (1996)" : "Up"));
        }
        requests.add(ScoreRequest.newBuilder(TestRequests.pointwise("l", 4, "Heat (1995)"))
                .setTask(Task.TASK_LISTWISE)
                .addCandidates(TestRequests.candidate("The Lion King (1994)"))
                .addCandidates(TestRequests.candidate("A very long title that needs many tokens"))
                .build());
        List<float[]> batched = backend.scoreBatch(requests);
        for (int i = 0; i < requests.size(); i++) {
            float[] alone = backend.scoreBatch(List.of(requests.get(i))).get(0);
            assertThat(batched.get(i)).hasSize(alone.length);
            for (int c = 0; c < alone.length; c++) {
                assertThat((double) batched.get(i)[c])
                        .as("request %d candidate %d", i, c)
                        .isCloseTo(alone[c], offset(1e-4));
            }
        }
        float[] listwise = batched.get(requests.size() - 1);
        assertThat(listwise).hasSize(3);
        // Log-likelihoods of different titles: negative and distinct.
        assertThat(listwise[0]).isNotEqualTo(listwise[1]).isNotEqualTo(listwise[2]);
        for (float s : listwise) {
            assertThat(s).isNegative();
        }
    }

    @Test
    void tooLongPromptIsRejectedNamingTheRequestAndField() throws Exception {
        try (CausalLmBackend small =
                CausalLmBackend.builder().modelDir(modelDir).maxTokens(40).build()) {
            assertThatThrownBy(() -> small.validate(TestRequests.pointwise("long-one", 8, "Up")))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("long-one")
                    .hasMessageContaining("candidates[0] prompt")
                    .hasMessageContaining("limit of 40");
        }
    }
}
