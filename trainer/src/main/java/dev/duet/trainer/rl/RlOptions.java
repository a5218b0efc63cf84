package dev.duet.trainer.rl;

import java.util.List;

/**
 * What {@link RlTraining} runs.
 *
 * @param config the RL settings (variant, encoder, defaults of gamma and negatives)
 * @param weights the RL weights (lambda) to choose from on validation (training seed of the first run)
 * @param seeds training seeds; every model is trained once per seed
 * @param baseline train the supervised SASRec with the same seeds beside the variant
 * @param environment use the text-encoder environment's states and rewards
 * @param lea add the environment's best positive actions as extra transitions
 * @param leaShare the share of training transitions that get one LEA transition
 * @param candidates candidates per case (PROTOCOL.md: 20)
 * @param candidateSeeds candidate-sampling seeds
 */
public record RlOptions(
        RlConfig config,
        List<Float> weights,
        List<Long> seeds,
        boolean baseline,
        boolean environment,
        boolean lea,
        double leaShare,
        int candidates,
        List<Long> candidateSeeds) {

    public RlOptions {
        weights = List.copyOf(weights);
        seeds = List.copyOf(seeds);
        candidateSeeds = List.copyOf(candidateSeeds);
        if (weights.isEmpty() || weights.stream().anyMatch(w -> w <= 0 || w > 1)) {
            throw new IllegalArgumentException("RL weights must be in (0, 1], got " + weights);
        }
        if (seeds.isEmpty() || seeds.stream().distinct().count() != seeds.size()) {
            throw new IllegalArgumentException("training seeds must be distinct and at least one, got " + seeds);
        }
        if (lea && !environment) {
            throw new IllegalArgumentException("--lea needs --env llm: LEA's actions come from the environment's reward model");
        }
        if (leaShare <= 0 || leaShare > 1) {
            throw new IllegalArgumentException("LEA share must be in (0, 1], got " + leaShare);
        }
        if (candidates < 2 || candidateSeeds.isEmpty()) {
            throw new IllegalArgumentException("need at least 2 candidates and one candidate seed");
        }
    }

    /** The report key: {@code <variant>[_env][_lea]}. */
    public String key() {
        return config.variant().key() + (environment ? "_env" : "") + (lea ? "_lea" : "");
    }
}
