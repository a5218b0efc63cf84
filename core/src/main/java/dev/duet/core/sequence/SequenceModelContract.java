package dev.duet.core.sequence;

/**
 * Names of a next-item (sequence) model's ONNX inputs, outputs and metadata; docs/model-contract.md
 * ("Next-item models") explains them. The trainer's sequence-model export writes files that follow
 * it; the job's candidate retrieval and the next-item evaluation read them.
 *
 * <p>Item rows: row 0 is padding, rows 1..N are the items of {@link #META_ITEM_VOCABULARY} in order.
 * Histories are right-aligned: the most recent item is in the last column, padding (row 0) on the
 * left.
 */
public final class SequenceModelContract {

    /** int64 [B, L]: the user's last L items as rows, oldest first, right-aligned, 0 = padding. */
    public static final String INPUT_HISTORY = "history";
    /** int64 [B, C]: candidate item rows to score (0 = padding, scored but meaningless). */
    public static final String INPUT_CANDIDATES = "candidates";

    /** float [B, C]: the model's score of each candidate as the next item (higher is likelier). */
    public static final String OUTPUT_SCORES = "scores";
    /** float [B, N + 1]: the score of every catalog row (row 0, padding, included); for retrieval. */
    public static final String OUTPUT_CATALOG_SCORES = "catalog_scores";
    /** float [B, D]: the user's sequence vector (the encoder's output at the last position). */
    public static final String OUTPUT_USER_VECTOR = "user_vector";
    /** float [B, L, D]: each history item's behaviour vector (its output-layer item embedding). */
    public static final String OUTPUT_HISTORY_VECTORS = "history_vectors";
    /** float [B, C, D]: each candidate's behaviour vector (its output-layer item embedding). */
    public static final String OUTPUT_CANDIDATE_VECTORS = "candidate_vectors";

    /** Metadata: what the model predicts; {@link #TASK_NEXT_ITEM} here, "ctr" for click models. */
    public static final String META_TASK = "duet.model_task";
    /** Metadata: JSON array of the item ids (strings) of rows 1..N, in row order. */
    public static final String META_ITEM_VOCABULARY = "duet.item_vocabulary";
    /** Metadata: L, the history length the model was trained with (decimal). */
    public static final String META_MAX_HISTORY = "duet.max_history";
    /** Metadata: D, the width of the user and item vectors (decimal). */
    public static final String META_EMBEDDING_DIM = "duet.embedding_dim";
    /** Metadata: model family, e.g. "sasrec" or "gru4rec". */
    public static final String META_NAME = "duet.model_name";
    /** Metadata: model version (content digest of the weights unless the caller gives one). */
    public static final String META_VERSION = "duet.model_version";
    /** Metadata: the data set the model was trained on. */
    public static final String META_DATASET = "duet.dataset";

    public static final String TASK_NEXT_ITEM = "next-item";
    public static final String TASK_CTR = "ctr";

    /** Row of the padding item. */
    public static final int PADDING_ROW = 0;

    private SequenceModelContract() {}
}
