package dev.duet.trainer.rl;

import java.util.Arrays;

/**
 * Logged transitions {@code (s, a, r, s')} as model rows: the state is the right-aligned history
 * window, the action the next item, the next state the window shifted by one with the action
 * appended. {@code targets} are the supervised head's next items at every position (as SASRec is
 * trained); for transitions added by LEA only the last position has a target. {@code envStates}
 * and {@code envNextStates} are the environment's state-model vectors (null with logged rewards).
 */
public record Transitions(
        int[][] histories,
        int[][] targets,
        int[] actions,
        float[] rewards,
        int[][] nextHistories,
        float[][] envStates,
        float[][] envNextStates) {

    public Transitions {
        int n = actions.length;
        if (histories.length != n || targets.length != n || rewards.length != n || nextHistories.length != n
                || (envStates != null && (envStates.length != n || envNextStates == null || envNextStates.length != n))) {
            throw new IllegalArgumentException("transition arrays differ in length (" + n + " actions)");
        }
    }

    public int size() {
        return actions.length;
    }

    /** Width of the environment's state (0 without one). */
    public int envDim() {
        return envStates == null || envStates.length == 0 ? 0 : envStates[0].length;
    }

    /**
     * Transitions of training cases: {@code histories} right-aligned, {@code actions} the next items,
     * {@code rewards} the logged rewards.
     */
    public static Transitions logged(int[][] histories, int[] actions, float[] rewards) {
        int n = actions.length;
        int[][] targets = new int[n][];
        int[][] next = new int[n][];
        for (int i = 0; i < n; i++) {
            int[] h = histories[i];
            int length = h.length;
            targets[i] = new int[length];
            for (int k = 0; k < length - 1; k++) {
                targets[i][k] = h[k] == 0 ? 0 : h[k + 1];
            }
            targets[i][length - 1] = actions[i];
            next[i] = shifted(h, actions[i]);
        }
        return new Transitions(histories, targets, actions, rewards, next, null, null);
    }

    /** The window after taking {@code action}: oldest item dropped, action appended. */
    public static int[] shifted(int[] history, int action) {
        int[] out = new int[history.length];
        System.arraycopy(history, 1, out, 0, history.length - 1);
        out[history.length - 1] = action;
        return out;
    }

    /** The same transitions with the environment's states. */
    public Transitions withEnvStates(float[][] states, float[][] nextStates) {
        return new Transitions(histories, targets, actions, rewards, nextHistories, states, nextStates);
    }

    /** The same transitions with other rewards (the environment's). */
    public Transitions withRewards(float[] newRewards) {
        return new Transitions(histories, targets, actions, newRewards, nextHistories, envStates, envNextStates);
    }

    /** These transitions followed by {@code extra} (LEA's added ones). */
    public Transitions plus(Transitions extra) {
        if ((envStates == null) != (extra.envStates == null)) {
            throw new IllegalArgumentException("cannot join transitions with and without environment states");
        }
        return new Transitions(concat(histories, extra.histories), concat(targets, extra.targets),
                concat(actions, extra.actions), concat(rewards, extra.rewards), concat(nextHistories, extra.nextHistories),
                envStates == null ? null : concat(envStates, extra.envStates),
                envNextStates == null ? null : concat(envNextStates, extra.envNextStates));
    }

    private static <T> T[] concat(T[] a, T[] b) {
        T[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
