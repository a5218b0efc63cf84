package dev.duet.trainer.corella;

/**
 * Settings of the trainable scorer and of its CoReLLa-style training. Built with {@link #builder()};
 * {@link Builder#build()} validates.
 *
 * <ul>
 *   <li>{@code hardnessPower}: sample weight {@code H(p_crm)^power}, normalised to mean 1 over the
 *       training split (0: every sample weighs the same, the "without hard-sample emphasis" ablation);
 *   <li>{@code alignWeight}: weight of the alignment loss (in-batch InfoNCE between the scorer's
 *       text-side user and item representations, projected, and the CRM's behaviour vectors; 0 turns
 *       it off);
 *   <li>{@code useBehaviour}: the CRM's behaviour vectors enter through learned projections (LLaRA's
 *       hybrid idea); {@code useCrmLogit}: the CRM's logit is an input. Both off: text only.
 * </ul>
 */
public final class ScorerConfig {

    private final int dim;
    private final int hidden;
    private final int maxEpochs;
    private final int patience;
    private final double learningRate;
    private final double weightDecay;
    private final int batchSize;
    private final double hardnessPower;
    private final double alignWeight;
    private final double temperature;
    private final boolean useBehaviour;
    private final boolean useCrmLogit;
    private final boolean useUserBehaviour;
    private final long seed;

    private ScorerConfig(Builder b) {
        dim = b.dim;
        hidden = b.hidden;
        maxEpochs = b.maxEpochs;
        patience = b.patience;
        learningRate = b.learningRate;
        weightDecay = b.weightDecay;
        batchSize = b.batchSize;
        hardnessPower = b.hardnessPower;
        alignWeight = b.alignWeight;
        temperature = b.temperature;
        useBehaviour = b.useBehaviour;
        useCrmLogit = b.useCrmLogit;
        useUserBehaviour = b.useUserBehaviour;
        seed = b.seed;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.dim = dim;
        b.hidden = hidden;
        b.maxEpochs = maxEpochs;
        b.patience = patience;
        b.learningRate = learningRate;
        b.weightDecay = weightDecay;
        b.batchSize = batchSize;
        b.hardnessPower = hardnessPower;
        b.alignWeight = alignWeight;
        b.temperature = temperature;
        b.useBehaviour = useBehaviour;
        b.useCrmLogit = useCrmLogit;
        b.useUserBehaviour = useUserBehaviour;
        b.seed = seed;
        return b;
    }

    public int dim() {
        return dim;
    }

    public int hidden() {
        return hidden;
    }

    public int maxEpochs() {
        return maxEpochs;
    }

    public int patience() {
        return patience;
    }

    public double learningRate() {
        return learningRate;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public int batchSize() {
        return batchSize;
    }

    public double hardnessPower() {
        return hardnessPower;
    }

    public double alignWeight() {
        return alignWeight;
    }

    public double temperature() {
        return temperature;
    }

    public boolean useBehaviour() {
        return useBehaviour;
    }

    public boolean useCrmLogit() {
        return useCrmLogit;
    }

    /**
     * Whether the CRM's user vector is an input (it stays the alignment target either way). Under a
     * global time split most test users are unknown to the CRM, so its user vector changes meaning
     * between training and test; validation decides.
     */
    public boolean useUserBehaviour() {
        return useBehaviour && useUserBehaviour;
    }

    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return "ScorerConfig{dim=" + dim + ", hidden=" + hidden + ", epochs<=" + maxEpochs + ", patience=" + patience
                + ", lr=" + learningRate + ", decay=" + weightDecay + ", batch=" + batchSize + ", hardness^"
                + hardnessPower + ", align=" + alignWeight + ", tau=" + temperature + ", behaviour=" + useBehaviour
                + ", user_behaviour=" + useUserBehaviour() + ", crm_logit=" + useCrmLogit + ", seed=" + seed + "}";
    }

    /** Builder with the defaults chosen on ML-100K validation (docs/collaboration.md). */
    public static final class Builder {
        private int dim = 32;
        private int hidden = 64;
        private int maxEpochs = 8;
        private int patience = 1;
        private double learningRate = 3e-3;
        private double weightDecay = 1e-4;
        private int batchSize = 512;
        private double hardnessPower = 1.0;
        private double alignWeight = 0.1;
        private double temperature = 0.2;
        private boolean useBehaviour = true;
        private boolean useCrmLogit = true;
        private boolean useUserBehaviour = true;
        private long seed = 1;

        public Builder dim(int v) {
            dim = v;
            return this;
        }

        public Builder hidden(int v) {
            hidden = v;
            return this;
        }

        public Builder maxEpochs(int v) {
            maxEpochs = v;
            return this;
        }

        public Builder patience(int v) {
            patience = v;
            return this;
        }

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder hardnessPower(double v) {
            hardnessPower = v;
            return this;
        }

        public Builder alignWeight(double v) {
            alignWeight = v;
            return this;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder useBehaviour(boolean v) {
            useBehaviour = v;
            return this;
        }

        public Builder useCrmLogit(boolean v) {
            useCrmLogit = v;
            return this;
        }

        public Builder useUserBehaviour(boolean v) {
            useUserBehaviour = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public ScorerConfig build() {
            if (dim < 1 || hidden < 1) {
                throw new IllegalArgumentException("scorer dim and hidden must be positive");
            }
            if (maxEpochs < 1 || patience < 1 || batchSize < 2) {
                throw new IllegalArgumentException("epochs and patience must be positive, batch size at least 2");
            }
            if (!(learningRate > 0) || !(weightDecay >= 0) || !(hardnessPower >= 0) || !(alignWeight >= 0)
                    || !(temperature > 0)) {
                throw new IllegalArgumentException("learning rate and temperature must be positive; weight decay,"
                        + " hardness power and alignment weight not negative");
            }
            return new ScorerConfig(this);
        }
    }
}
