package dev.duet.core.routing;

/**
 * Decides per sample whether the CRM's answer stands or the LLM is asked: CoReLLa's entropy rule
 * first (a confident CRM is never overridden), then the selective gate (the LLM must be trusted
 * enough there), then the budget (only the hardest samples, at most the budgeted share or rate).
 * The gate's score is the hardness the budget ranks samples by.
 *
 * <p>Not thread-safe (it owns a {@link BudgetedThreshold}).
 */
public final class Router {

    /** Default least gate score for a sample to be considered for the LLM. */
    public static final double DEFAULT_MIN_GATE = 0.5;

    private final EntropyRule entropyRule;
    private final SelectiveGate gate;
    private final double minGate;
    private final BudgetedThreshold budget;

    public Router(EntropyRule entropyRule, SelectiveGate gate, double minGate, BudgetedThreshold budget) {
        if (!(minGate >= 0 && minGate <= 1)) {
            throw new IllegalArgumentException("minGate must be in [0, 1], got " + minGate);
        }
        this.entropyRule = entropyRule;
        this.gate = gate;
        this.minGate = minGate;
        this.budget = budget;
    }

    /** The decision and its inputs, for outputs and metrics. */
    public record Decision(boolean toLlm, double entropy, double gateScore, double threshold) {}

    /**
     * Routes one sample.
     *
     * @param historyLength the user's history length
     * @param itemPopularity the item's (decayed) interaction count
     * @param probability the CRM's probability
     * @param nowMs processing time, for the rate limit
     */
    public Decision decide(int historyLength, double itemPopularity, double probability, long nowMs) {
        double entropy = SelectiveGate.uncertainty(probability);
        double g = gate.score(historyLength, itemPopularity, probability);
        boolean eligible = entropyRule.isHard(probability) && g >= minGate;
        boolean routed = budget.offer(eligible ? g : 0, nowMs);
        return new Decision(routed, entropy, g, budget.threshold());
    }

    public BudgetedThreshold budget() {
        return budget;
    }

    public SelectiveGate gate() {
        return gate;
    }
}
