package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.duet.core.metrics.BinaryMetrics;
import dev.duet.core.routing.Route;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.ScoringTask;
import dev.duet.job.testing.CapturingMetricGroup;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrequentialMetricsTest {

    private static ScoringTask answered(String route, int label, float score) {
        ScoringTask t = new ScoringTask();
        t.kind = EventKind.INTERACTION;
        t.route = route;
        t.label = label;
        t.finalScores = new float[] {score};
        return t;
    }

    /** The dashboard's gauges read the window's AUC and LogLoss from the first read on (they once read NaN for ever). */
    @Test
    void gaugesReadEachRoutesAucAndLogLossOfItsWindow() {
        CapturingMetricGroup group = new CapturingMetricGroup();
        Map<Route, PrequentialMetrics.Window> windows = PrequentialMetrics.register(group.addGroup("prequential"), 100);
        Random r = new Random(7);
        float[] labels = new float[300];
        float[] scores = new float[300];
        for (int i = 0; i < 300; i++) {
            labels[i] = r.nextInt(2);
            scores[i] = Math.min(0.99f, Math.max(0.01f, 0.3f * labels[i] + 0.7f * r.nextFloat()));
            PrequentialMetrics.record(windows, answered("crm", (int) labels[i], scores[i]));
        }
        PrequentialMetrics.record(windows, answered("llm", 1, 0.9f));
        PrequentialMetrics.record(windows, answered("llm", 0, 0.2f));
        // The window holds the last 100 samples of its route.
        float[] lastLabels = java.util.Arrays.copyOfRange(labels, 200, 300);
        float[] lastScores = java.util.Arrays.copyOfRange(scores, 200, 300);

        assertThat(((Number) group.gaugeValue("prequential.crm.samples")).intValue()).isEqualTo(100);
        double auc = ((Number) group.gaugeValue("prequential.crm.auc")).doubleValue();
        double logLoss = ((Number) group.gaugeValue("prequential.crm.logLoss")).doubleValue();
        assertThat(auc).isCloseTo(BinaryMetrics.auc(lastLabels, lastScores), within(1e-9)).isBetween(0.55, 1.0);
        assertThat(logLoss).isCloseTo(BinaryMetrics.logLoss(lastLabels, lastScores), within(1e-9));
        assertThat(((Number) group.gaugeValue("prequential.llm.auc")).doubleValue()).isEqualTo(1.0);
        assertThat(((Number) group.gaugeValue("prequential.llm.samples")).intValue()).isEqualTo(2);
        // A route without samples has no figure yet.
        assertThat(((Number) group.gaugeValue("prequential.fallback.auc")).doubleValue()).isNaN();
    }

    @Test
    void requestsAndUnlabelledSamplesAreNotCounted() {
        CapturingMetricGroup group = new CapturingMetricGroup();
        Map<Route, PrequentialMetrics.Window> windows = PrequentialMetrics.register(group, 10);
        ScoringTask request = answered("crm", -1, 0.5f);
        request.kind = EventKind.REQUEST;
        PrequentialMetrics.record(windows, request);
        PrequentialMetrics.record(windows, answered("crm", -1, 0.5f));
        assertThat(((Number) group.gaugeValue("crm.samples")).intValue()).isZero();
    }
}
