package dev.duet.evaluation.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LogisticFitTest {

    /** Draws targets from a known gate on [cold, tail, uncertainty] features in [0, 1]. */
    private static double[][] features(int n, Random random) {
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {random.nextDouble(), random.nextDouble(), random.nextDouble()};
        }
        return x;
    }

    @Test
    void recoversTheWeightsOfAKnownGate() {
        double[] truth = {1.5, -1.0, 3.0};
        double bias = -2.5;
        Random random = new Random(11);
        double[][] x = features(40_000, random);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double z = bias + truth[0] * x[i][0] + truth[1] * x[i][1] + truth[2] * x[i][2];
            y[i] = random.nextDouble() < LogisticFit.sigmoid(z) ? 1 : 0;
        }

        LogisticFit.Result fit = new LogisticFit(Calibrator.RIDGE).fit(x, y);

        assertThat(fit.weights()[0]).isCloseTo(truth[0], within(0.15));
        assertThat(fit.weights()[1]).isCloseTo(truth[1], within(0.15));
        assertThat(fit.weights()[2]).isCloseTo(truth[2], within(0.15));
        assertThat(fit.bias()).isCloseTo(bias, within(0.15));
        assertThat(fit.iterations()).isLessThan(50);
    }

    @Test
    void staysFiniteOnSeparableData() {
        double[][] x = {{0}, {0.1}, {0.9}, {1}};
        double[] y = {0, 0, 1, 1};

        LogisticFit.Result fit = new LogisticFit(1e-3).fit(x, y);

        assertThat(fit.weights()[0]).isPositive().isFinite();
        assertThat(fit.probability(new double[] {1})).isGreaterThan(0.5);
        assertThat(fit.probability(new double[] {0})).isLessThan(0.5);
    }

    @Test
    void rejectsMismatchedTargets() {
        assertThatThrownBy(() -> new LogisticFit(0).fit(new double[][] {{1}}, new double[] {1, 0}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
