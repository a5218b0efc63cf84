package dev.duet.core.routing;

/**
 * CoReLLa's rule: a sample is hard when the CRM's prediction entropy is high. Entropy is normalised
 * to [0, 1] ({@link SelectiveGate#uncertainty}); a sample with normalised entropy below {@code
 * minEntropy} is easy whatever the gate says, so that a confident CRM is never overridden.
 */
public final class EntropyRule {

    /** Default floor: 0.5 normalised entropy, i.e. p in about [0.11, 0.89]. */
    public static final double DEFAULT_MIN_ENTROPY = 0.5;

    private final double minEntropy;

    public EntropyRule(double minEntropy) {
        if (!(minEntropy >= 0 && minEntropy <= 1)) {
            throw new IllegalArgumentException("minEntropy must be in [0, 1], got " + minEntropy);
        }
        this.minEntropy = minEntropy;
    }

    public boolean isHard(double probability) {
        return SelectiveGate.uncertainty(probability) >= minEntropy;
    }

    public double minEntropy() {
        return minEntropy;
    }
}
