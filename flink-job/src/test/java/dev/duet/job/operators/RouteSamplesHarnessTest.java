package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.routing.GateWeights;
import dev.duet.job.model.ScoringTask;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class RouteSamplesHarnessTest {

    private static final RouteSamples.Settings SETTINGS =
            new RouteSamples.Settings(0.1, 0, 5, 1000, 0.5, 0.5, GateWeights.DEFAULT, 10, 100, true);

    private static OneInputStreamOperatorTestHarness<ScoringTask, ScoringTask> harness() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new RouteSamples(SETTINGS)));
    }

    private static ScoringTask scored(float p, long history, double popularity) {
        ScoringTask t = CrmBatchScorerHarnessTest.task("u", null, "a");
        t.crmScores = new float[] {p};
        t.userInteractions = history;
        t.candidatePopularity = new double[] {popularity};
        return t;
    }

    @Test
    void hardSamplesLeaveThroughTheSideOutputWithinTheBudget() throws Exception {
        try (var h = harness()) {
            h.open();
            Random r = new Random(4);
            int n = 2000;
            for (int i = 0; i < n; i++) {
                // Half the stream is uncertain and cold: far more hard samples than the budget.
                h.processElement(i % 2 == 0 ? scored(0.45f + 0.1f * r.nextFloat(), 0, 1) : scored(0.97f, 50, 500), i);
            }
            int hard = h.getSideOutput(RouteSamples.HARD).size();
            assertThat(hard).isBetween((int) (0.08 * n), (int) (0.1 * n));
            assertThat(h.extractOutputValues()).hasSize(n - hard).allSatisfy(t -> {
                assertThat(t.route).isEqualTo("crm");
                assertThat(t.finalScores).isEqualTo(t.crmScores);
                // Answered: what only scoring and the LLM read is gone before the next exchange.
                assertThat(t.history).isNull();
                assertThat(t.candidatePopularity).isNull();
            });
            h.getSideOutput(RouteSamples.HARD).forEach(rec -> {
                assertThat(rec.getValue().entropy).isGreaterThan(0.5);
                // The LLM still needs them.
                assertThat(rec.getValue().history).isNotNull();
                assertThat(rec.getValue().candidatePopularity).isNotNull();
            });
        }
    }

    @Test
    void withTheLlmDisabledTheCrmAnswersEverySampleStillMeasured() throws Exception {
        RouteSamples.Settings crmOnly = new RouteSamples.Settings(
                0.1, 0, 5, 1000, 0.5, 0.5, GateWeights.DEFAULT, 10, 100, false);
        try (var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new RouteSamples(crmOnly)))) {
            h.open();
            for (int i = 0; i < 200; i++) {
                h.processElement(scored(0.5f, 0, 1), i); // as hard as a sample gets
            }
            assertThat(h.getSideOutput(RouteSamples.HARD)).isNullOrEmpty();
            assertThat(h.extractOutputValues()).hasSize(200).allSatisfy(t -> {
                assertThat(t.route).isEqualTo("crm");
                assertThat(t.entropy).isGreaterThan(0.99);
                assertThat(t.gate).isGreaterThan(0.5);
            });
        }
    }

    @Test
    void confidentSamplesNeverGoToTheLlm() throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 500; i++) {
                h.processElement(scored(0.99f, 0, 0), i);
            }
            assertThat(h.getSideOutput(RouteSamples.HARD)).isNullOrEmpty();
        }
    }

    @Test
    void theBudgetSurvivesARestore() throws Exception {
        OperatorSubtaskState snapshot;
        int routedBefore;
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < 1000; i++) {
                h.processElement(scored(0.5f, 0, 0), i);
            }
            routedBefore = h.getSideOutput(RouteSamples.HARD).size();
            snapshot = h.snapshot(1, 1000);
        }
        try (var h = harness()) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            for (int i = 0; i < 1000; i++) {
                h.processElement(scored(0.5f, 0, 0), i);
            }
            var side = h.getSideOutput(RouteSamples.HARD);
            int routedAfter = side == null ? 0 : side.size();
            // The bucket continued: over both runs at most 10 % (+ burst), not 10 % twice plus a fresh burst.
            assertThat(routedBefore + routedAfter).isLessThanOrEqualTo(200).isGreaterThanOrEqualTo(190);
        }
    }
}
