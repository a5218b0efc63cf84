package dev.duet.trainer.rl;

import dev.duet.trainer.nextitem.SasRecConfig;
import java.util.Locale;

/**
 * Settings of one RL training run on top of the SASRec encoder's settings.
 *
 * @param encoder the shared encoder and its supervised head (dim, blocks, lr, batch, epochs, seed)
 * @param variant SNQN, SA2C, or SUPERVISED (no RL head: the baseline)
 * @param rlWeight lambda, the weight of the RL terms (Q head's TD loss, SA2C's actor term) next to
 *     the supervised cross-entropy; chosen on validation
 * @param discount gamma of the one-step TD target (0.5 as in SQN)
 * @param negatives sampled negative actions per transition (reward 0 with the logged rewards)
 * @param targetSync training steps between copies of the online network into the target network
 * @param sa2cWarmupEpochs SA2C: epochs trained as SNQN before the advantage weighting starts (the
 *     critic must first learn something)
 * @param weightClipLow SA2C: the off-policy weight pi/beta is clipped to [low, high] ...
 * @param weightClipHigh ... and then normalised to mean 1 over the batch
 */
public record RlConfig(
        SasRecConfig encoder,
        RlVariant variant,
        float rlWeight,
        float discount,
        int negatives,
        int targetSync,
        int sa2cWarmupEpochs,
        float weightClipLow,
        float weightClipHigh) {

    public RlConfig {
        require(encoder != null, "encoder settings are missing");
        require(variant != null, "variant is missing");
        require(rlWeight >= 0 && rlWeight <= 1, "RL weight must be in [0, 1], got " + rlWeight);
        require(discount >= 0 && discount < 1, "discount must be in [0, 1), got " + discount);
        require(negatives >= 1, "negatives must be at least 1, got " + negatives);
        require(targetSync >= 1, "target sync must be at least 1 step, got " + targetSync);
        require(sa2cWarmupEpochs >= 0, "SA2C warm-up epochs must not be negative, got " + sa2cWarmupEpochs);
        require(weightClipLow > 0 && weightClipLow <= 1 && weightClipHigh >= 1,
                "weight clip must satisfy 0 < low <= 1 <= high, got [" + weightClipLow + ", " + weightClipHigh + "]");
    }

    /** The defaults: gamma 0.5, 10 negatives, target copy every 200 steps, 1 SA2C warm-up epoch, clip [0.1, 10]. */
    public static RlConfig of(SasRecConfig encoder, RlVariant variant, float rlWeight) {
        return new RlConfig(encoder, variant, rlWeight, 0.5f, 10, 200, 1, 0.1f, 10f);
    }

    public RlConfig withSeed(long seed) {
        return new RlConfig(encoder.toBuilder().seed(seed).build(), variant, rlWeight, discount, negatives, targetSync,
                sa2cWarmupEpochs, weightClipLow, weightClipHigh);
    }

    public RlConfig withWeight(float weight) {
        return new RlConfig(encoder, variant, weight, discount, negatives, targetSync, sa2cWarmupEpochs, weightClipLow, weightClipHigh);
    }

    public RlConfig withVariant(RlVariant v) {
        return new RlConfig(encoder, v, rlWeight, discount, negatives, targetSync, sa2cWarmupEpochs, weightClipLow, weightClipHigh);
    }

    /** True when the run has an RL head at all. */
    public boolean hasQHead() {
        return variant != RlVariant.SUPERVISED && rlWeight > 0;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s, RL weight %.2f, gamma %.2f, %d negatives, target copy every %d steps%s; encoder: %s",
                variant.key(), rlWeight, discount, negatives, targetSync,
                variant == RlVariant.SA2C ? String.format(Locale.ROOT, ", %d warm-up epoch(s), weight clip [%.2g, %.2g]",
                        sa2cWarmupEpochs, weightClipLow, weightClipHigh) : "",
                encoder);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
