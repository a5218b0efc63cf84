package dev.duet.evaluation.nextitem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class UncertaintyTest {

    @Test
    void uniformScoresAreMostUncertainUnderBothMeasures() {
        float[] uniform = new float[20];
        assertThat(Uncertainty.ENTROPY.of(uniform)).isCloseTo(1.0, within(1e-12));
        assertThat(Uncertainty.MARGIN.of(uniform)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void entropyAndMarginMatchTheirDefinitions() {
        float[] scores = {2f, 1f, 0f, Float.NEGATIVE_INFINITY};
        double z = Math.exp(2) + Math.exp(1) + 1;
        double[] p = {Math.exp(2) / z, Math.exp(1) / z, 1 / z, 0};
        double h = 0;
        for (double v : p) {
            h -= v > 0 ? v * Math.log(v) : 0;
        }
        // An unknown candidate (minus infinity) has probability 0 but still counts in log(C).
        assertThat(Uncertainty.ENTROPY.of(scores)).isCloseTo(h / Math.log(4), within(1e-9));
        assertThat(Uncertainty.MARGIN.of(scores)).isCloseTo(1 - (p[0] - p[1]), within(1e-9));
        float[] sure = {30f, 0f, 0f, 0f};
        assertThat(Uncertainty.ENTROPY.of(sure)).isLessThan(1e-9);
        assertThat(Uncertainty.MARGIN.of(sure)).isLessThan(1e-9);
    }

    @Test
    void topOneCreditSharesTiesAndMissesUnknownTargets() {
        assertThat(Uncertainty.topOneCredit(new float[] {3f, 1f, 2f}, 0)).isEqualTo(1.0);
        assertThat(Uncertainty.topOneCredit(new float[] {2f, 3f, 2f}, 0)).isEqualTo(0.0);
        assertThat(Uncertainty.topOneCredit(new float[] {3f, 3f, 1f, 3f}, 0)).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(Uncertainty.topOneCredit(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 0)).isZero();
        assertThat(Uncertainty.topOneCredit(new float[] {1f, Float.NaN}, 0)).isZero();
    }
}
