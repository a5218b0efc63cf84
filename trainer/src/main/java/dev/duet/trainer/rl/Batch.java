package dev.duet.trainer.rl;

/**
 * One mini-batch of transitions with its sampled negative actions and their rewards.
 *
 * @param histories {@code [B][L]} states
 * @param targets {@code [B][L]} the supervised head's next item per position (0 = none)
 * @param actions {@code [B]} the logged (or LEA-added) actions
 * @param rewards {@code [B]} their rewards
 * @param nextHistories {@code [B][L]} next states
 * @param negatives {@code [B][K]} sampled negative actions
 * @param negativeRewards {@code [B][K]} their rewards (0 with the logged rewards)
 * @param envStates {@code [B][Dz]} the environment's states, or null
 * @param envNextStates {@code [B][Dz]} the environment's next states, or null
 */
public record Batch(
        int[][] histories,
        int[][] targets,
        int[] actions,
        float[] rewards,
        int[][] nextHistories,
        int[][] negatives,
        float[][] negativeRewards,
        float[][] envStates,
        float[][] envNextStates) {

    public int size() {
        return actions.length;
    }
}
