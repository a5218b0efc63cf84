package dev.duet.trainer.rl;

import java.util.Locale;

/** Which RL framework trains the heads on the shared SASRec encoder (PROTOCOL.md section 3). */
public enum RlVariant {
    /** No RL head: the supervised SASRec trained by the same loop (the baseline). */
    SUPERVISED,
    /** Supervised Negative Q-learning (Xin et al., WSDM 2022): cross-entropy head plus a double-Q head with sampled negative actions. */
    SNQN,
    /** Supervised Advantage Actor-Critic (Xin et al., WSDM 2022): the Q head as critic weights the supervised head's loss by the advantage. */
    SA2C;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code snqn} or {@code sa2c} (the command's --variant). */
    public static RlVariant parse(String text, String option) {
        for (RlVariant v : values()) {
            if (v != SUPERVISED && v.key().equals(text)) {
                return v;
            }
        }
        throw new IllegalArgumentException(option + " must be 'snqn' or 'sa2c', got '" + text + "'");
    }
}
