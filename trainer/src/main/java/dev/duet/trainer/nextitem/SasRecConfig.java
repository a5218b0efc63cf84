package dev.duet.trainer.nextitem;

/**
 * SASRec's settings (Kang and McAuley, 2018): {@code blocks} causal self-attention blocks (one
 * head) of width {@code dim} over the last {@code maxHistory} items with learned positions, item
 * embeddings shared with the output layer, full softmax cross-entropy on the next item, Adam. The
 * epoch count is chosen on validation HR@1 (then NDCG@10) with {@code patience}.
 */
public record SasRecConfig(
        int maxHistory,
        int dim,
        int blocks,
        float dropout,
        float learningRate,
        float l2,
        int batchSize,
        int maxEpochs,
        int patience,
        boolean allPositions,
        float adamBeta2,
        long seed,
        int threads) {

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maxHistory(maxHistory).dim(dim).blocks(blocks).dropout(dropout)
                .learningRate(learningRate).l2(l2).batchSize(batchSize).maxEpochs(maxEpochs)
                .patience(patience).allPositions(allPositions).adamBeta2(adamBeta2).seed(seed).threads(threads);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "dim %d, %d blocks, history %d, dropout %.2f, lr %.4g, Adam beta2 %.4g, l2 %.2g, batch %d, max %d epochs (patience %d), loss on %s, seed %d, %d threads",
                dim, blocks, maxHistory, dropout, learningRate, adamBeta2, l2, batchSize, maxEpochs, patience,
                allPositions ? "every position" : "the last position", seed, threads);
    }

    /**
     * Defaults: SASRec's usual settings (dim 64, 2 blocks, lr 1e-3, batch 128); dropout 0.2, L2
     * 1e-4 and the loss on the last position had the best validation HR@1 on LastFM among the five
     * settings tried (docs/training.md; the top two differ by less than one validation case, so
     * this is a choice among equals). The loss on every position cost three times as much per step
     * and was not better on validation. Adam's beta2 is PyTorch's default 0.999, not the 0.98 of the
     * reference SASRec code: with a full softmax every item row gets a tiny gradient at every step,
     * and with a short second-moment memory Adam scales those up to full-size steps for the rows of
     * items that are rarely a target; on LastFM validation HR@1 went from 0.267 to 0.351.
     */
    public static final class Builder {
        private int maxHistory = 10;
        private int dim = 64;
        private int blocks = 2;
        private float dropout = 0.2f;
        private float learningRate = 1e-3f;
        private float l2 = 1e-4f;
        private int batchSize = 128;
        private int maxEpochs = 40;
        private int patience = 5;
        private boolean allPositions = false;
        private float adamBeta2 = 0.999f;
        private long seed = 1;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());

        public Builder maxHistory(int v) { maxHistory = v; return this; }
        public Builder dim(int v) { dim = v; return this; }
        public Builder blocks(int v) { blocks = v; return this; }
        public Builder dropout(float v) { dropout = v; return this; }
        public Builder learningRate(float v) { learningRate = v; return this; }
        public Builder l2(float v) { l2 = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder maxEpochs(int v) { maxEpochs = v; return this; }
        public Builder patience(int v) { patience = v; return this; }
        public Builder allPositions(boolean v) { allPositions = v; return this; }
        public Builder adamBeta2(float v) { adamBeta2 = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder threads(int v) { threads = v; return this; }

        public SasRecConfig build() {
            require(maxHistory >= 1, "history length must be at least 1, got " + maxHistory);
            require(dim >= 1, "dim must be at least 1, got " + dim);
            require(blocks >= 1, "blocks must be at least 1, got " + blocks);
            require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1), got " + dropout);
            require(learningRate > 0, "learning rate must be positive, got " + learningRate);
            require(l2 >= 0, "l2 must not be negative, got " + l2);
            require(batchSize >= 1, "batch size must be at least 1, got " + batchSize);
            require(maxEpochs >= 1, "epochs must be at least 1, got " + maxEpochs);
            require(patience >= 1, "patience must be at least 1, got " + patience);
            require(threads >= 1, "threads must be at least 1, got " + threads);
            require(adamBeta2 > 0 && adamBeta2 < 1, "Adam beta2 must be in (0, 1), got " + adamBeta2);
            return new SasRecConfig(maxHistory, dim, blocks, dropout, learningRate, l2, batchSize,
                    maxEpochs, patience, allPositions, adamBeta2, seed, threads);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
