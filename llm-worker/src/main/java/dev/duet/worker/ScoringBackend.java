package dev.duet.worker;

import dev.duet.proto.v1.ScoreRequest;
import java.util.List;

/**
 * A language model that scores whole batches of requests in one model call.
 *
 * <p>The server groups requests into batches (see {@link WorkerConfig}); a backend never sees a
 * request that failed {@link #validate}. Implementations must be safe to call from one batching
 * thread while {@link #validate} runs concurrently on gRPC threads.
 */
public interface ScoringBackend extends AutoCloseable {

    /** Backend and model that answer, e.g. {@code causal-lm:stories260k}. */
    String modelName();

    /** The model's version: a digest of its files or a configured version. */
    String modelVersion();

    /**
     * Rejects requests this backend cannot serve (for example a prompt longer than the model's
     * context), before they enter the queue. The generic checks (ids, candidates, task) have
     * already passed.
     */
    default void validate(ScoreRequest request) throws InvalidRequestException {}

    /**
     * Scores every request; entry i holds one score per candidate of request i, in candidate order
     * (pointwise: probabilities in [0, 1]; listwise: higher is better).
     */
    List<float[]> scoreBatch(List<ScoreRequest> requests) throws Exception;

    @Override
    void close() throws Exception;
}
