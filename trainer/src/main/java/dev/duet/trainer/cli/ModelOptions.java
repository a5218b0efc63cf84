package dev.duet.trainer.cli;

import dev.duet.trainer.model.Dcnv2Config;
import picocli.CommandLine.Option;

/** DCNv2 hyper-parameters; unset options keep the defaults of {@link Dcnv2Config}. */
public final class ModelOptions {

    @Option(names = "--epochs", description = "Maximum epochs (early stopping on validation AUC).")
    Integer epochs;

    @Option(names = "--patience", description = "Epochs without validation improvement before stopping.")
    Integer patience;

    @Option(names = "--dim", description = "Embedding width.")
    Integer dim;

    @Option(names = "--cross-layers", description = "Cross network v2 layers.")
    Integer crossLayers;

    @Option(names = "--lr", description = "Adam learning rate.")
    Float learningRate;

    @Option(names = "--l2", description = "L2 weight on embeddings.")
    Float l2;

    @Option(names = "--dense-l2", description = "L2 weight on the dense weight matrices.")
    Float denseL2;

    @Option(names = "--user-id-dropout", description = "Chance a training sample sees its user as out-of-vocabulary.")
    Float userIdDropout;

    @Option(names = "--item-id-dropout", description = "Chance a training sample sees its item as out-of-vocabulary.")
    Float itemIdDropout;

    @Option(names = "--deep-layers", split = ",", description = "Widths of the deep tower, e.g. 128,64.")
    int[] deepLayers;

    @Option(names = "--item-prior", description = "Prior weight (pseudo-samples) of the item statistics' smoothing.")
    Double itemPrior;

    @Option(names = "--history-features", paramLabel = "LIST", description = "Optional history representations in the DCNv2's input, comma-separated: liked-pools, attention, target-dots, liked-tables, or none (default; docs/model-contract.md).")
    String historyFeatures;

    @Option(names = "--batch-size", description = "Mini-batch size.")
    Integer batchSize;

    @Option(names = "--threads", description = "Training threads (default: all cores).")
    Integer threads;

    @Option(names = "--model-seed", description = "Seed of initialisation and shuffling.")
    Long seed;

    @Option(names = "--progress-every", description = "Print progress every N mini-batches (0: per epoch only; default: ${DEFAULT-VALUE}).", defaultValue = "100")
    int progressEvery;

    public Dcnv2Config config() {
        Dcnv2Config.Builder b = Dcnv2Config.builder();
        if (epochs != null) {
            b.maxEpochs(epochs);
        }
        if (patience != null) {
            b.patience(patience);
        }
        if (dim != null) {
            b.embeddingDim(dim);
        }
        if (crossLayers != null) {
            b.crossLayers(crossLayers);
        }
        if (learningRate != null) {
            b.learningRate(learningRate);
        }
        if (l2 != null) {
            b.l2(l2);
        }
        if (denseL2 != null) {
            b.denseL2(denseL2);
        }
        if (userIdDropout != null) {
            b.userIdDropout(userIdDropout);
        }
        if (itemIdDropout != null) {
            b.itemIdDropout(itemIdDropout);
        }
        if (deepLayers != null) {
            b.deepLayers(deepLayers);
        }
        if (itemPrior != null) {
            b.itemPriorWeight(itemPrior);
        }
        if (historyFeatures != null) {
            try {
                b.historyFeatures(dev.duet.trainer.model.HistoryFeature.parse(historyFeatures));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--history-features: " + e.getMessage(), e);
            }
        }
        if (batchSize != null) {
            b.batchSize(batchSize);
        }
        if (threads != null) {
            b.threads(threads);
        }
        if (seed != null) {
            b.seed(seed);
        }
        b.progressEveryBatches(progressEvery);
        return b.build();
    }
}
