package dev.duet.worker;

/**
 * Bounds on what a request may carry. Text is cut to these lengths before it enters a prompt (a
 * caller cannot blow up the prompt with a long description); counts beyond the limits are errors.
 */
public final class RequestLimits {

    private final int maxRequestIdChars;
    private final int maxTitleChars;
    private final int maxTextChars;
    private final int maxHistoryItems;
    private final int maxCandidates;
    private final int maxBehaviourDims;

    private RequestLimits(Builder b) {
        this.maxRequestIdChars = b.maxRequestIdChars;
        this.maxTitleChars = b.maxTitleChars;
        this.maxTextChars = b.maxTextChars;
        this.maxHistoryItems = b.maxHistoryItems;
        this.maxCandidates = b.maxCandidates;
        this.maxBehaviourDims = b.maxBehaviourDims;
    }

    public static RequestLimits defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxRequestIdChars() {
        return maxRequestIdChars;
    }

    /** Titles are cut to this many characters before they enter a prompt. */
    public int maxTitleChars() {
        return maxTitleChars;
    }

    /** Further item text is cut to this many characters before it enters a prompt. */
    public int maxTextChars() {
        return maxTextChars;
    }

    /** Only the most recent this-many history items enter a prompt (older ones are ignored). */
    public int maxHistoryItems() {
        return maxHistoryItems;
    }

    /** More candidates than this in one request is an error. */
    public int maxCandidates() {
        return maxCandidates;
    }

    /** Longer behaviour vectors are an error. */
    public int maxBehaviourDims() {
        return maxBehaviourDims;
    }

    /** Builder; {@link #build()} checks that every limit is positive. */
    public static final class Builder {
        private int maxRequestIdChars = 256;
        private int maxTitleChars = 200;
        private int maxTextChars = 300;
        private int maxHistoryItems = 20;
        private int maxCandidates = 100;
        private int maxBehaviourDims = 4096;

        public Builder maxRequestIdChars(int v) {
            this.maxRequestIdChars = v;
            return this;
        }

        public Builder maxTitleChars(int v) {
            this.maxTitleChars = v;
            return this;
        }

        public Builder maxTextChars(int v) {
            this.maxTextChars = v;
            return this;
        }

        public Builder maxHistoryItems(int v) {
            this.maxHistoryItems = v;
            return this;
        }

        public Builder maxCandidates(int v) {
            this.maxCandidates = v;
            return this;
        }

        public Builder maxBehaviourDims(int v) {
            this.maxBehaviourDims = v;
            return this;
        }

        public RequestLimits build() {
            positive("maxRequestIdChars", maxRequestIdChars);
            positive("maxTitleChars", maxTitleChars);
            positive("maxTextChars", maxTextChars);
            positive("maxHistoryItems", maxHistoryItems);
            positive("maxCandidates", maxCandidates);
            positive("maxBehaviourDims", maxBehaviourDims);
            return new RequestLimits(this);
        }

        private static void positive(String name, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
        }
    }
}
