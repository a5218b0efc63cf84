package dev.duet.trainer.rl;

/**
 * The stop-gradient quantities of one batch, computed without dropout and without autograd before
 * the training step (so the loss is an exact function of the parameters given them, which the
 * gradient check relies on).
 *
 * @param tdPositive {@code [B]} r + gamma Q_target(s', argmax_a' Q_online(s', a'))
 * @param tdNegative {@code [B][K]} r_neg + gamma Q_target(s, argmax_a Q_online(s, a)): a negative
 *     action does not change the state
 * @param actorWeight {@code [B]} SA2C: the clipped, normalised off-policy weight times the
 *     advantage, clipped to [-1, 1]; all 0 otherwise
 * @param states {@code [B][D]} the online encoder's states (the behaviour head's input, SA2C)
 */
public record Fixed(float[] tdPositive, float[][] tdNegative, float[] actorWeight, float[][] states) {}
