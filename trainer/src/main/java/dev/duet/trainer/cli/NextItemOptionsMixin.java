package dev.duet.trainer.cli;

import dev.duet.trainer.nextitem.NextItemOptions;
import dev.duet.trainer.nextitem.SasRecConfig;
import picocli.CommandLine.Option;

/** SASRec and protocol options of {@code train --task next-item}; the shared ones come from ModelOptions. */
public final class NextItemOptionsMixin {

    @Option(names = "--dropout", description = "next-item: SASRec dropout rate.")
    Float dropout;

    @Option(names = "--blocks", description = "next-item: SASRec self-attention blocks.")
    Integer blocks;

    @Option(names = "--history-length", description = "next-item: history length L (PROTOCOL.md: 10).")
    Integer historyLength;

    @Option(names = "--loss-positions", description = "next-item: train on the next item at 'all' positions or the 'last' only.")
    String lossPositions;

    @Option(names = "--adam-beta2", description = "next-item: Adam's second-moment decay.")
    Float adamBeta2;

    @Option(names = "--gru4rec", description = "next-item: train GRU4Rec too (SASRec's settings), written to gru4rec.onnx and the report.")
    boolean gru4rec;

    @Option(names = "--candidate-seeds", description = "next-item: candidate-sampling seeds 1..N (default: ${DEFAULT-VALUE}).", defaultValue = "5")
    int candidateSeeds;

    NextItemOptions options(ModelOptions model) {
        SasRecConfig.Builder b = SasRecConfig.builder();
        if (model.epochs != null) {
            b.maxEpochs(model.epochs);
        }
        if (model.patience != null) {
            b.patience(model.patience);
        }
        if (model.dim != null) {
            b.dim(model.dim);
        }
        if (model.learningRate != null) {
            b.learningRate(model.learningRate);
        }
        if (model.l2 != null) {
            b.l2(model.l2);
        }
        if (model.batchSize != null) {
            b.batchSize(model.batchSize);
        }
        if (model.threads != null) {
            b.threads(model.threads);
        }
        if (model.seed != null) {
            b.seed(model.seed);
        }
        if (dropout != null) {
            b.dropout(dropout);
        }
        if (blocks != null) {
            b.blocks(blocks);
        }
        if (adamBeta2 != null) {
            b.adamBeta2(adamBeta2);
        }
        if (historyLength != null) {
            b.maxHistory(historyLength);
        }
        if (lossPositions != null) {
            switch (lossPositions) {
                case "all" -> b.allPositions(true);
                case "last" -> b.allPositions(false);
                default -> throw new IllegalArgumentException("--loss-positions must be 'all' or 'last', got '" + lossPositions + "'");
            }
        }
        return NextItemOptions.defaults(b.build()).withSeedCount(candidateSeeds).withGru4Rec(gru4rec);
    }
}
