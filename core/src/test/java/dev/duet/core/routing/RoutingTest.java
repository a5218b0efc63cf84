package dev.duet.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingTest {

    @Test
    void gateDefaultsMatchTheirDocumentation() {
        SelectiveGate gate = new SelectiveGate(GateWeights.DEFAULT);
        assertThat(gate.combine(0, 0, 0)).isCloseTo(0.076, within(0.001));
        assertThat(gate.combine(0, 0, 1)).isCloseTo(0.622, within(0.001));
        assertThat(gate.combine(1, 1, 1)).isCloseTo(0.953, within(0.001));
        assertThat(gate.cold(0)).isEqualTo(1);
        assertThat(gate.cold(20)).isEqualTo(0);
        assertThat(gate.tail(0)).isEqualTo(1);
        assertThat(gate.tail(1000)).isEqualTo(0);
        assertThat(SelectiveGate.uncertainty(0.5)).isCloseTo(1, within(1e-9));
        // Monotone: colder users, rarer items and less certain predictions are harder.
        assertThat(gate.score(0, 5, 0.5)).isGreaterThan(gate.score(10, 5, 0.5));
        assertThat(gate.score(5, 1, 0.5)).isGreaterThan(gate.score(5, 50, 0.5));
        assertThat(gate.score(5, 5, 0.45)).isGreaterThan(gate.score(5, 5, 0.9));
    }

    @Test
    void entropyRuleKeepsConfidentPredictionsOnTheCrm() {
        EntropyRule rule = new EntropyRule(0.5);
        assertThat(rule.isHard(0.5)).isTrue();
        assertThat(rule.isHard(0.2)).isTrue();
        assertThat(rule.isHard(0.05)).isFalse();
        assertThat(rule.isHard(0.97)).isFalse();
        assertThatThrownBy(() -> new EntropyRule(1.5)).hasMessageContaining("minEntropy");
    }

    @Test
    void calibrationFileIsReadAndValidated(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("gate.json");
        Files.writeString(ok, "{\"cold\":1,\"tail\":2,\"uncertainty\":3,\"bias\":-4}");
        assertThat(GateWeights.load(ok)).isEqualTo(new GateWeights(1, 2, 3, -4));
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"cold\":1}");
        assertThatThrownBy(() -> GateWeights.load(bad)).hasMessageContaining("bad.json").hasMessageContaining("'tail'");
    }

    @Test
    void budgetBoundsTheShareWhateverTheScores() {
        BudgetedThreshold budget = BudgetedThreshold.ofShare(0.1);
        Random random = new Random(1);
        int routed = 0;
        int routedAtStartOfLastPhase = 0;
        for (int i = 1; i <= 40_000; i++) {
            // Phase 1: few hard samples; phase 2: all equally hard; phase 3: scores drift upwards.
            double score = i <= 5000 ? random.nextDouble() * 0.6 : i <= 10_000 ? 0.99 : 0.5 + random.nextDouble() * 0.5;
            if (budget.offer(score, i)) {
                routed++;
            }
            // The hard bound: never more than the share of the samples seen so far.
            assertThat(routed).isLessThanOrEqualTo((int) Math.floor(0.1 * i + 1e-9));
            if (i == 30_000) {
                routedAtStartOfLastPhase = routed;
            }
        }
        // Once the threshold has adapted, the budget is used, not wasted.
        assertThat((routed - routedAtStartOfLastPhase) / 10_000.0).isBetween(0.08, 0.1);
    }

    @Test
    void budgetRoutesTheHardestAndAdaptsTheThreshold() {
        BudgetedThreshold budget = BudgetedThreshold.ofShare(0.2);
        Random random = new Random(2);
        int hardRouted = 0;
        int easyRouted = 0;
        for (int i = 0; i < 10_000; i++) {
            double score = random.nextDouble();
            if (budget.offer(score, i)) {
                if (score >= 0.75) {
                    hardRouted++;
                } else {
                    easyRouted++;
                }
            }
        }
        assertThat(budget.threshold()).isCloseTo(0.8, within(0.03));
        assertThat(hardRouted).isGreaterThan(10 * easyRouted);
        // Shift the distribution down: the threshold follows.
        for (int i = 0; i < 40_000; i++) {
            budget.offer(random.nextDouble() * 0.5, i);
        }
        assertThat(budget.threshold()).isCloseTo(0.4, within(0.03));
    }

    @Test
    void rateLimitCapsRoutesPerSecond() {
        BudgetedThreshold budget = new BudgetedThreshold(1.0, 1000, 5, 1000, 100);
        int routed = 0;
        for (int i = 0; i < 1000; i++) {
            if (budget.offer(1.0, i * 2L)) { // 1000 samples in 2 s
                routed++;
            }
        }
        assertThat(routed).isBetween(9, 12);
    }

    @Test
    void snapshotRestoresTheSameBehaviour() {
        BudgetedThreshold a = BudgetedThreshold.ofShare(0.3);
        Random random = new Random(3);
        for (int i = 0; i < 3000; i++) {
            a.offer(random.nextDouble(), i);
        }
        BudgetedThreshold b = BudgetedThreshold.ofShare(0.3);
        b.restore(a.snapshot());
        assertThat(b.threshold()).isEqualTo(a.threshold());
        assertThat(b.routed()).isEqualTo(a.routed());
        for (int i = 0; i < 500; i++) {
            double s = random.nextDouble();
            assertThat(b.offer(s, i)).isEqualTo(a.offer(s, i));
        }
        assertThatThrownBy(() -> new BudgetedThreshold(0.3, 20, 0, 5000, 10).restore(a.snapshot())).hasMessageContaining("bins");
    }

    @Test
    void routerNeverSendsConfidentSamples() {
        Router router = new Router(new EntropyRule(0.5), new SelectiveGate(GateWeights.DEFAULT), 0.5, BudgetedThreshold.ofShare(1.0));
        for (int i = 0; i < 100; i++) {
            assertThat(router.decide(0, 0, 0.99, i).toLlm()).isFalse();
        }
        int routed = 0;
        for (int i = 0; i < 100; i++) {
            if (router.decide(0, 0, 0.5, i).toLlm()) {
                routed++;
            }
        }
        assertThat(routed).isGreaterThan(50);
    }
}
