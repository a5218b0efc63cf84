package dev.duet.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import dev.duet.worker.internal.LogisticHead;
import dev.duet.worker.internal.TextEncoderBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text-encoder backend with the real pretrained all-MiniLM-L6-v2. */
class TextEncoderBackendTest {

    private static TextEncoderBackend backend;

    @BeforeAll
    static void open() throws Exception {
        backend = TextEncoderBackend.builder().build();
    }

    @AfterAll
    static void close() throws Exception {
        backend.close();
    }

    private static HistoryItem film(String title, String genres, float rating) {
        return HistoryItem.newBuilder().setItemId(title).setTitle(title).setText(genres)
                .setRating(rating).build();
    }

    private static Candidate candidate(String title, String genres) {
        return Candidate.newBuilder().setItemId(title).setTitle(title).setText(genres)
                .setCrmProbability(0.5f).build();
    }

    private static ScoreRequest familyFan(Task task, boolean withGenres) {
        String animated = withGenres ? "Animation, Children's, Comedy" : "";
        return ScoreRequest.newBuilder().setRequestId("family").setTask(task)
                .addHistory(film("The Lion King (1994)", animated, 5))
                .addHistory(film("Aladdin (1992)", animated, 5))
                .addHistory(film("Finding Nemo (2003)", animated, 4))
                .addHistory(film("Monsters, Inc. (2001)", animated, 5))
                .addHistory(film("Shrek (2001)", animated, 4))
                .addCandidates(candidate("Toy Story (1995)", animated))
                .addCandidates(candidate("The Texas Chainsaw Massacre (1974)",
                        withGenres ? "Horror" : ""))
                .build();
    }

    @Test
    void animatedFamilyHistoryPrefersToyStoryOverHorror() throws Exception {
        for (boolean withGenres : new boolean[] {true, false}) {
            float[] p = backend.scoreBatch(List.of(familyFan(Task.TASK_POINTWISE, withGenres)))
                    .get(0);
            assertThat(p[0]).as("genres %s", withGenres).isBetween(0f, 1f);
            assertThat(p[1]).isBetween(0f, 1f);
            assertThat(p[0]).as("Toy Story vs horror, genres %s", withGenres)
                    .isGreaterThan(p[1] + 0.05f);
        }
        float[] listwise = backend.scoreBatch(List.of(familyFan(Task.TASK_LISTWISE, true))).get(0);
        assertThat(listwise[0]).isGreaterThan(listwise[1]);
    }

    @Test
    void dislikedHistoryPullsTheScoreDown() throws Exception {
        ScoreRequest liked = familyFan(Task.TASK_POINTWISE, true);
        ScoreRequest.Builder disliked = liked.toBuilder().clearHistory();
        for (HistoryItem h : liked.getHistoryList()) {
            disliked.addHistory(h.toBuilder().setRating(1));
        }
        float likedToy = backend.scoreBatch(List.of(liked)).get(0)[0];
        float dislikedToy = backend.scoreBatch(List.of(disliked.build())).get(0)[0];
        assertThat(dislikedToy).isLessThan(likedToy - 0.05f);
    }

    @Test
    void itemEmbeddingsAreCachedByText() throws Exception {
        ScoreRequest r = familyFan(Task.TASK_POINTWISE, true).toBuilder()
                .setRequestId("cache").build();
        float first = backend.scoreBatch(List.of(r)).get(0)[0];
        long hits = backend.cache().hits();
        float second = backend.scoreBatch(List.of(r)).get(0)[0];
        assertThat(backend.cache().hits() - hits).isEqualTo(7);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void batchedEqualsAlone() throws Exception {
        ScoreRequest a = familyFan(Task.TASK_POINTWISE, true);
        ScoreRequest b = familyFan(Task.TASK_POINTWISE, false);
        List<float[]> both = backend.scoreBatch(List.of(a, b));
        assertThat((double) both.get(1)[1]).isCloseTo(
                backend.scoreBatch(List.of(b)).get(0)[1], offset(1e-5));
    }

    @Test
    void headFileIsReadAndCheckedByName(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("head.json");
        Files.writeString(file, LogisticHead.defaults().toJson());
        LogisticHead head = LogisticHead.read(file);
        assertThat(head.weights()).isEqualTo(LogisticHead.defaults().weights());
        assertThat(head.logit(new double[] {1, 0, 1, 0})).isCloseTo(5.5, offset(1e-9));

        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"bias\": 0, \"weights\": {\"liked_similarity\": 1,"
                + " \"popularity\": 2}}");
        assertThatThrownBy(() -> LogisticHead.read(bad))
                .hasMessageContaining(bad.toString()).hasMessageContaining("'popularity'");
    }
}
