package dev.duet.core.features;

/**
 * Names of the CRM model's ONNX inputs, outputs and metadata; docs/model-contract.md explains them.
 * Every model the job and the worker load must follow this contract; the trainer's export does.
 */
public final class ModelContract {

    /** int64 [B, F]: global embedding-row ids of the categorical fields. */
    public static final String INPUT_CATEGORICAL = "categorical";
    /** float [B, G]: genre weights of the target item. */
    public static final String INPUT_GENRES = "genres";
    /** int64 [B, K]: global embedding-row ids of the history items. */
    public static final String INPUT_HISTORY_ITEMS = "history_items";
    /** float [B, K]: normalised ratings of the history items. */
    public static final String INPUT_HISTORY_RATINGS = "history_ratings";
    /** float [B, K]: 1 for real history items, 0 for padding. */
    public static final String INPUT_HISTORY_MASK = "history_mask";
    /** float [B, 2]: dense features. */
    public static final String INPUT_DENSE = "dense";

    /** float [B]: click probability. */
    public static final String OUTPUT_PROBABILITY = "probability";
    /** float [B, D]: the user's behaviour vector (user embedding plus rating-aware history pool). */
    public static final String OUTPUT_USER_VECTOR = "user_vector";
    /** float [B, D]: the target item's behaviour vector (its item embedding). */
    public static final String OUTPUT_ITEM_VECTOR = "item_vector";

    /** Metadata: the feature encoding as JSON ({@link FeatureEncoding#toJson()}). */
    public static final String META_ENCODING = "duet.feature_encoding";
    /** Metadata: model version (content digest plus training time). */
    public static final String META_VERSION = "duet.model_version";
    /** Metadata: model family, e.g. "dcnv2". */
    public static final String META_NAME = "duet.model_name";
    /** Metadata: the data set the model was trained on. */
    public static final String META_DATASET = "duet.dataset";

    private ModelContract() {}
}
