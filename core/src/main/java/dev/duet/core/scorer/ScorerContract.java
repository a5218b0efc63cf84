package dev.duet.core.scorer;

import java.util.List;

/**
 * Names of the trained language-model scorer's ONNX graph (written by the trainer's
 * {@code dev.duet.trainer.corella} package, served by the worker's {@code trained} backend). The
 * graph is the trained part only: the frozen text encoder runs before it, and its inputs are what
 * {@link ScorerBatch} holds, computed from a worker request by {@link ScorerBatch.Builder} on both
 * sides, so that training and serving see the same numbers.
 *
 * <p>{@code B} = rows (one per candidate), {@code K} = history length, {@code E} = text-embedding
 * width, {@code D} = the CRM's behaviour-vector width.
 */
public final class ScorerContract {

    private ScorerContract() {}

    /** float [B, E]: the candidate's text embedding (unit length). */
    public static final String CANDIDATE_TEXT = "candidate_text";
    /** float [B, K, E]: the history items' text embeddings, oldest first, zero rows as padding. */
    public static final String HISTORY_TEXT = "history_text";
    /** float [B, K]: their ratings normalised as the CRM's encoding does; 0 for padding. */
    public static final String HISTORY_RATING = "history_rating";
    /** float [B, K]: 1 for a real history item, 0 for padding. */
    public static final String HISTORY_MASK = "history_mask";
    /** float [B, D]: the CRM's user behaviour vector (zeros when the request has none). */
    public static final String USER_BEHAVIOUR = "user_behaviour";
    /** float [B, D]: the CRM's behaviour vector of the candidate (zeros when absent). */
    public static final String ITEM_BEHAVIOUR = "item_behaviour";
    /** float [B, 3]: the CRM's logit (clipped), history length / K, mean normalised rating. */
    public static final String DENSE = "dense";

    /** The inputs, in the order the graph declares them. */
    public static final List<String> INPUTS = List.of(
            CANDIDATE_TEXT, HISTORY_TEXT, HISTORY_RATING, HISTORY_MASK, USER_BEHAVIOUR, ITEM_BEHAVIOUR, DENSE);

    /** float [B]: the scorer's logit (after the blend fitted on validation). */
    public static final String LOGIT = "logit";
    /** float [B]: sigmoid of the logit. */
    public static final String PROBABILITY = "probability";

    /** Width of {@link #DENSE}. */
    public static final int DENSE_WIDTH = 3;

    /** File names inside a scorer folder. */
    public static final String GRAPH_FILE = "scorer.onnx";
    public static final String SETTINGS_FILE = "scorer.json";
}
