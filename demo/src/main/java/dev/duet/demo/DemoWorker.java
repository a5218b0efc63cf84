package dev.duet.demo;

import dev.duet.worker.LlmWorker;
import dev.duet.worker.ScoringBackend;
import dev.duet.worker.WorkerConfig;
import dev.duet.worker.internal.CausalLmBackend;
import dev.duet.worker.internal.TextEncoderBackend;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.proto.v1.Candidate;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Starts the LLM worker in this JVM on 127.0.0.1 and a free port, with the backend the demo asks
 * for. The worker CLI's own backend options are package-private to its CLI, so the backends are
 * built here from their public builders with the same defaults (text encoder: the bundled MiniLM).
 */
public final class DemoWorker {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DemoWorker() {}

    public static LlmWorker start(DemoSettings.LlmBackend kind, String model, int threads) throws Exception {
        return start(kind, model, threads, null);
    }

    /** As {@link #start(DemoSettings.LlmBackend, String, int)}, the text encoder with a calibration's head. */
    public static LlmWorker start(DemoSettings.LlmBackend kind, String model, int threads, Path calibration) throws Exception {
        ScoringBackend backend = switch (kind) {
            case TEXT_ENCODER -> {
                TextEncoderBackend.Builder b = TextEncoderBackend.builder()
                        .model(model == null ? "all-minilm-l6-v2" : model)
                        .intraOpThreads(threads);
                if (calibration != null) {
                    b.head(calibration);
                }
                yield b.build();
            }
            case TRAINED -> dev.duet.worker.internal.TrainedScorerBackend.open(Path.of(model),
                    dev.duet.core.onnx.SharedSessions.Device.CPU, threads, 50_000,
                    dev.duet.worker.RequestLimits.defaults());
            case CAUSAL_LM -> {
                Path dir = Path.of(model);
                if (!Files.isDirectory(dir)) {
                    throw new IllegalArgumentException("--llm-model " + model + " is not a folder");
                }
                yield CausalLmBackend.builder().modelDir(dir).intraOpThreads(threads).build();
            }
        };
        try {
            return LlmWorker.start(WorkerConfig.builder().host("127.0.0.1").port(0).build(), backend);
        } catch (Exception | Error e) {
            backend.close();
            throw e;
        }
    }

    /**
     * Scores catalog items once, most popular first, pointwise with an empty history, straight
     * through the backend, until all are done or {@code budget} passes: the text encoder keeps item
     * embeddings in its cache, so the job's first hard samples do not pay for encoding the catalog
     * and time out. Items left over are encoded on first use. The item text is built as the job
     * builds it (title; genres joined by ", " then "; year"), or the cache would miss. Returns the
     * number of items warmed.
     */
    public static int warmUp(LlmWorker worker, List<String> catalogJsonLines, Map<String, Integer> popularity, Duration budget)
            throws Exception {
        long deadline = System.nanoTime() + budget.toNanos();
        int warmed = 0;
        for (ScoreRequest request : warmUpRequests(catalogJsonLines, popularity)) {
            if (System.nanoTime() >= deadline) {
                break;
            }
            worker.backend().scoreBatch(List.of(request));
            warmed += request.getCandidatesCount();
        }
        return warmed;
    }

    /**
     * The warm-up of {@link #warmUp} as requests, most popular items first, 16 candidates each,
     * for a worker in another process (the fault suite sends them over gRPC).
     */
    public static List<ScoreRequest> warmUpRequests(List<String> catalogJsonLines, Map<String, Integer> popularity)
            throws Exception {
        List<Candidate> candidates = new ArrayList<>();
        for (String line : catalogJsonLines) {
            JsonNode item = JSON.readTree(line);
            List<String> genres = new ArrayList<>();
            item.path("genres").forEach(g -> genres.add(g.asText()));
            StringBuilder text = new StringBuilder(String.join(", ", genres));
            int year = item.path("year").asInt(0);
            if (year > 0) {
                text.append(text.length() > 0 ? "; " : "").append(year);
            }
            candidates.add(Candidate.newBuilder().setItemId(item.path("id").asText()).setTitle(item.path("title").asText())
                    .setText(text.toString()).setCrmProbability(0.5f).build());
        }
        candidates.sort(Comparator.comparing((Candidate c) -> popularity.getOrDefault(c.getItemId(), 0)).reversed());
        int perRequest = 16;
        List<ScoreRequest> requests = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i += perRequest) {
            List<Candidate> chunk = candidates.subList(i, Math.min(candidates.size(), i + perRequest));
            requests.add(ScoreRequest.newBuilder().setRequestId("warm-up-" + i)
                    .setUserId("warm-up").setTask(Task.TASK_POINTWISE).addAllCandidates(chunk).build());
        }
        return requests;
    }

    public static String describe(DemoSettings.LlmBackend kind, String model) {
        return kind.cliName + " (" + (model == null ? "all-minilm-l6-v2, bundled" : model) + ")";
    }
}
