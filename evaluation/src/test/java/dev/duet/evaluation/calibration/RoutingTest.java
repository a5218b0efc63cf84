package dev.duet.evaluation.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.routing.GateWeights;
import dev.duet.core.routing.SelectiveGate;
import org.junit.jupiter.api.Test;

class RoutingTest {

    @Test
    void thresholdIsTheQuantileOfTheBudgetAndTheCapHolds() {
        double[] scores = new double[100];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = i / 100.0;
        }
        double t = Routing.threshold(scores, 0.10);
        assertThat(t).isEqualTo(0.90);

        boolean[] routed = Routing.route(scores, t, 0.10);
        assertThat(Routing.count(routed)).isEqualTo(10);
        assertThat(routed[99]).isTrue();
        assertThat(routed[89]).isFalse();

        // A lower threshold than the budget allows: the cap still bounds the share.
        assertThat(Routing.count(Routing.route(scores, 0.0, 0.10))).isEqualTo(10);
        // A higher one routes fewer.
        assertThat(Routing.count(Routing.route(scores, 0.95, 0.10))).isEqualTo(5);
    }

    @Test
    void gateRuleNeverRoutesBelowTheEntropyFloor() {
        SelectiveGate gate = new SelectiveGate(GateWeights.DEFAULT);
        float[] p = {0.01f, 0.5f, 0.99f, 0.4f};
        double[] s = Routing.gateScores(gate, 0.5, new int[] {0, 0, 0, 10}, new double[] {0, 0, 0, 500}, p);

        assertThat(s[0]).isZero();
        assertThat(s[2]).isZero();
        assertThat(s[1]).isGreaterThan(s[3]).isPositive();
        assertThat(Routing.count(Routing.route(s, Routing.threshold(s, 1.0), 1.0))).isEqualTo(2);
    }
}
