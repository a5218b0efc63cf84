package dev.duet.evaluation.corella;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duet.core.onnx.SharedSessions;
import dev.duet.core.scorer.ScorerBatch;
import dev.duet.core.scorer.ScorerContract;
import dev.duet.core.scorer.ScorerSettings;
import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.HistoryItem;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import dev.duet.trainer.corella.ScorerConfig;
import dev.duet.trainer.corella.ScorerExporter;
import dev.duet.trainer.corella.ScorerTrainer;
import dev.duet.trainer.corella.TrainedScorer;
import dev.duet.worker.InvalidRequestException;
import dev.duet.worker.RequestLimits;
import dev.duet.worker.ScoringBackend;
import dev.duet.worker.cli.Backends;
import dev.duet.worker.internal.ScorerRequestEncoder;
import dev.duet.worker.internal.SentenceEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's {@code trained} backend (packaged MiniLM + the exported graph in ONNX Runtime,
 * built by the worker's own option parser) answers what the trainer's forward pass answers on the
 * same requests, within 1e-5, in batches of any size.
 */
class TrainedBackendParityTest {

    private static final String[] TITLES = {"Toy Story (1995)", "Heat (1995)", "Babe (1995)", "Fargo (1996)",
        "Casino (1995)", "Sabrina (1995)", "Balto (1995)", "Nixon (1995)", "GoldenEye (1995)", "Jumanji (1995)"};
    private static final String[] GENRES = {"Animation, Comedy; 1995", "Action, Crime; 1995", "Drama; 1995",
        "Crime, Thriller; 1996"};

    @TempDir Path dir;

    @Test
    void workerBackendEqualsTheTrainersForwardPass() throws Exception {
        int behaviour = 6;
        List<ScoreRequest> requests = requests(120, behaviour, new Random(3));
        float[] labels = new float[requests.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 3 == 0 ? 1 : 0;
        }
        ScorerBatch batch;
        ScorerSettings settings;
        try (SentenceEncoder encoder = ScorerData.openEncoder("all-minilm-l6-v2", 1)) {
            settings = new ScorerSettings("all-minilm-l6-v2", ScorerData.textDim(encoder), behaviour, 10, 3f, 2f, 1e-3f,
                    null, Map.of());
            batch = new ScorerRequestEncoder(settings, encoder, 1000, RequestLimits.defaults()).encode(requests).batch();
        }
        ScorerConfig config = ScorerConfig.builder().dim(8).hidden(16).maxEpochs(2).batchSize(16).seed(2).build();
        TrainedScorer scorer = new ScorerTrainer(settings, config, System.out, "parity")
                .train(batch, labels, batch, z -> 0).scorer().withBlend(0.9, 0.2, -0.05);
        settings = settings.withVersion(scorer.parameters().digest(), Map.of());
        scorer = new TrainedScorer(settings, config, scorer.parameters(), 0.9, 0.2, -0.05);
        ScorerExporter.export(scorer, Map.of(), dir);
        settings.write(dir.resolve(ScorerContract.SETTINGS_FILE));
        float[] expected = scorer.probabilities(batch);

        try (ScoringBackend backend = Backends.create(List.of("--backend", "trained", "--model", dir.toString(),
                "--threads", "1"))) {
            assertThat(backend.modelVersion()).isEqualTo(scorer.parameters().digest());
            int row = 0;
            for (int size : new int[] {1, 7, 32, 80}) {
                List<ScoreRequest> part = requests.subList(row, Math.min(requests.size(), row + size));
                List<float[]> replies = backend.scoreBatch(part);
                for (float[] reply : replies) {
                    assertThat((double) reply[0]).as("request " + row)
                            .isCloseTo(expected[row], org.assertj.core.data.Offset.offset(1e-5));
                    row++;
                }
            }
            assertThat(row).isEqualTo(requests.size());
            ScoreRequest wrongWidth = requests.get(0).toBuilder().clearUserBehaviour().addUserBehaviour(1f).build();
            assertThatThrownBy(() -> backend.validate(wrongWidth)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("user_behaviour");
        }
        assertThat(SharedSessions.openSessions()).isZero();
    }

    private static List<ScoreRequest> requests(int n, int behaviour, Random random) {
        List<ScoreRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ScoreRequest.Builder b = ScoreRequest.newBuilder().setRequestId("r" + i).setTask(Task.TASK_POINTWISE);
            int history = i % 9 == 0 ? 0 : random.nextInt(14);
            for (int h = 0; h < history; h++) {
                b.addHistory(HistoryItem.newBuilder().setTitle(TITLES[random.nextInt(TITLES.length)])
                        .setText(GENRES[random.nextInt(GENRES.length)]).setRating(1 + random.nextInt(5)));
            }
            if (i % 5 != 0) {
                for (int d = 0; d < behaviour; d++) {
                    b.addUserBehaviour((float) random.nextGaussian());
                }
            }
            Candidate.Builder c = Candidate.newBuilder().setTitle(TITLES[random.nextInt(TITLES.length)])
                    .setText(GENRES[random.nextInt(GENRES.length)]).setCrmProbability(random.nextFloat());
            for (int d = 0; d < behaviour; d++) {
                c.addBehaviour((float) random.nextGaussian());
            }
            out.add(b.addCandidates(c).build());
        }
        return out;
    }
}
