package dev.duet.core.features;

/**
 * A batch of encoded samples in flat row-major arrays, laid out exactly as the model's ONNX
 * inputs (see docs/model-contract.md), so that both the Java trainer and ONNX Runtime read them
 * without copying.
 */
public final class EncodedBatch {

    private final int capacity;
    private final int fields;
    private final int genres;
    private final int history;
    private final int denseWidth;
    private int size;

    /** [capacity, fields]: global embedding-row ids of the categorical fields. */
    public final long[] categorical;
    /** [capacity, genres]: the item's genres, multi-hot normalised to sum to 1. */
    public final float[] genreWeights;
    /** [capacity, history]: global embedding-row ids of the history items. */
    public final long[] historyItems;
    /** [capacity, history]: normalised ratings of the history items, 0 where masked. */
    public final float[] historyRatings;
    /** [capacity, history]: 1 for a real history item, 0 for padding. */
    public final float[] historyMask;
    /** [capacity, denseWidth]: the encoding's dense columns (docs/model-contract.md). */
    public final float[] dense;
    /** [capacity]: labels (training and evaluation), -1 when unknown. */
    public final float[] labels;

    public EncodedBatch(FeatureEncoding encoding, int capacity) {
        this(capacity, encoding.fieldCount(), encoding.genreCount(), encoding.historyLength(),
                encoding.denseWidth());
    }

    EncodedBatch(int capacity, int fields, int genres, int history, int denseWidth) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.fields = fields;
        this.genres = genres;
        this.history = history;
        this.denseWidth = denseWidth;
        this.categorical = new long[capacity * fields];
        this.genreWeights = new float[capacity * genres];
        this.historyItems = new long[capacity * history];
        this.historyRatings = new float[capacity * history];
        this.historyMask = new float[capacity * history];
        this.dense = new float[capacity * denseWidth];
        this.labels = new float[capacity];
    }

    public int capacity() {
        return capacity;
    }

    /** Rows filled so far. */
    public int size() {
        return size;
    }

    public boolean isFull() {
        return size == capacity;
    }

    // What the last encoded row (size - 1) took its user side from (FeatureEncoding's per-batch
    // memo): a request's candidate rows share one user, profile and history, so they are looked
    // up once. clear() forgets it.
    Object memoUser;
    String memoUserId;
    String[] memoHistory;
    float[] memoRatings;

    /** Empties the batch for reuse (arrays are overwritten row by row). */
    public void clear() {
        size = 0;
        memoUser = null;
        memoUserId = null;
        memoHistory = null;
        memoRatings = null;
    }

    /** Claims the next row; callers fill it through {@link FeatureEncoding#encodeRow}. */
    int nextRow() {
        if (size == capacity) {
            throw new IllegalStateException("batch is full (" + capacity + ")");
        }
        return size++;
    }

    public int fields() {
        return fields;
    }

    public int genres() {
        return genres;
    }

    public int history() {
        return history;
    }

    /** Columns of {@link #dense} per row. */
    public int denseWidth() {
        return denseWidth;
    }
}
