package dev.duet.trainer.nextitem;

import java.util.List;

/**
 * What {@link NextItemTraining} runs: SASRec's settings, the candidate protocol (PROTOCOL.md
 * section 2: 20 candidates, at least 5 sampling seeds), the item-kNN recency decays to choose
 * from on validation, and whether GRU4Rec is trained too (with SASRec's settings; off by default:
 * it doubles the training time).
 */
public record NextItemOptions(SasRecConfig sasrec, int candidates, List<Long> candidateSeeds, List<Double> knnDecays,
        boolean gru4rec) {

    /** Without GRU4Rec. */
    public NextItemOptions(SasRecConfig sasrec, int candidates, List<Long> candidateSeeds, List<Double> knnDecays) {
        this(sasrec, candidates, candidateSeeds, knnDecays, false);
    }

    public NextItemOptions {
        candidateSeeds = List.copyOf(candidateSeeds);
        knnDecays = List.copyOf(knnDecays);
        if (candidates < 2) {
            throw new IllegalArgumentException("candidates must be at least 2, got " + candidates);
        }
        if (candidateSeeds.isEmpty()) {
            throw new IllegalArgumentException("at least one candidate-sampling seed is needed");
        }
        if (candidateSeeds.stream().distinct().count() != candidateSeeds.size()) {
            throw new IllegalArgumentException("candidate-sampling seeds repeat: " + candidateSeeds);
        }
        if (knnDecays.isEmpty()) {
            throw new IllegalArgumentException("at least one item-kNN decay is needed");
        }
    }

    /** The protocol's defaults: 20 candidates, seeds 1..5, decays 1, 0.8, 0.6, 0.4, 0.2, 0.1. */
    public static NextItemOptions defaults(SasRecConfig sasrec) {
        return new NextItemOptions(sasrec, 20, List.of(1L, 2L, 3L, 4L, 5L), List.of(1.0, 0.8, 0.6, 0.4, 0.2, 0.1));
    }

    /** The same with {@code count} seeds 1..count. */
    public NextItemOptions withSeedCount(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("candidate seeds must be at least 1, got " + count);
        }
        return new NextItemOptions(sasrec, candidates, java.util.stream.LongStream.rangeClosed(1, count).boxed().toList(), knnDecays, gru4rec);
    }

    /** The same, training GRU4Rec beside SASRec (same settings) or not. */
    public NextItemOptions withGru4Rec(boolean train) {
        return new NextItemOptions(sasrec, candidates, candidateSeeds, knnDecays, train);
    }
}
