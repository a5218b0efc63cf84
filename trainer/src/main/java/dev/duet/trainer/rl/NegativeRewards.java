package dev.duet.trainer.rl;

/** The rewards of sampled negative actions: 0 with the logged rewards, the reward model's with the environment. */
@FunctionalInterface
public interface NegativeRewards {

    /** Logged data: a sampled item the user did not take has reward 0. */
    NegativeRewards ZERO = (cases, negatives) -> new float[negatives.length][negatives[0].length];

    /**
     * @param cases the transitions' indices in the training set
     * @param negatives {@code [B][K]} sampled actions
     * @return {@code [B][K]} rewards
     */
    float[][] rewards(int[] cases, int[][] negatives);
}
