package dev.duet.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BinaryMetricsTest {

    @Test
    void aucCountsPairsAndTiesHalf() {
        float[] labels = {0, 0, 1, 1};
        assertThat(BinaryMetrics.auc(labels, new float[] {0.1f, 0.4f, 0.35f, 0.8f})).isEqualTo(0.75);
        assertThat(BinaryMetrics.auc(labels, new float[] {0.1f, 0.2f, 0.3f, 0.4f})).isEqualTo(1.0);
        assertThat(BinaryMetrics.auc(labels, new float[] {0.5f, 0.5f, 0.5f, 0.5f})).isEqualTo(0.5);
        assertThat(BinaryMetrics.auc(new float[] {1, 1}, new float[] {0.1f, 0.2f})).isNaN();
    }

    @Test
    void logLossAccuracyEntropy() {
        float[] labels = {1, 0};
        assertThat(BinaryMetrics.logLoss(labels, new float[] {0.5f, 0.5f})).isCloseTo(Math.log(2), within(1e-9));
        assertThat(BinaryMetrics.accuracy(labels, new float[] {0.7f, 0.6f})).isEqualTo(0.5);
        assertThat(BinaryMetrics.entropy(0.5)).isCloseTo(Math.log(2), within(1e-12));
        assertThat(BinaryMetrics.entropy(0.0)).isZero();
        assertThat(BinaryMetrics.entropy(0.9)).isEqualTo(BinaryMetrics.entropy(0.1));
    }
}
