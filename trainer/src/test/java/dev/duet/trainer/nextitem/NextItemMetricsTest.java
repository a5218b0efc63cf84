package dev.duet.trainer.nextitem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NextItemMetricsTest {

    @Test
    void topOneCreditSharesTiesAndIsZeroWhenBeaten() {
        float[] scores = {0, 5, 3, 5, 1};
        assertThat(NextItemMetrics.topOneCredit(scores, new int[] {1, 2, 4})).isEqualTo(1.0);
        assertThat(NextItemMetrics.topOneCredit(scores, new int[] {1, 3, 2})).isEqualTo(0.5);
        assertThat(NextItemMetrics.topOneCredit(scores, new int[] {2, 3, 4})).isZero();
    }

    @Test
    void catalogCreditIgnoresThePaddingRowAndAveragesOverTiedPlaces() {
        float[] scores = new float[13];
        for (int r = 1; r < 13; r++) {
            scores[r] = 100 - r; // row 1 best
        }
        scores[0] = 1000; // padding: never ranked
        double[] first = NextItemMetrics.catalogCredit(scores, 1);
        assertThat(first[0]).isEqualTo(1.0);
        assertThat(first[1]).isEqualTo(1.0);
        double[] third = NextItemMetrics.catalogCredit(scores, 3); // place 2 (0-based)
        assertThat(third[1]).isCloseTo(1 / (Math.log(4) / Math.log(2)), within(1e-12));
        assertThat(NextItemMetrics.catalogCredit(scores, 12)[0]).isZero(); // place 11
        float[] flat = new float[13]; // all tied: 12 places, 10 of them in the top 10
        assertThat(NextItemMetrics.catalogCredit(flat, 5)[0]).isCloseTo(10.0 / 12, within(1e-12));
    }

    @Test
    void sampleStandardDeviation() {
        assertThat(NextItemMetrics.std(new double[] {1, 2, 3, 4})).isCloseTo(Math.sqrt(5.0 / 3), within(1e-12));
        assertThat(NextItemMetrics.std(new double[] {0.3})).isZero();
    }
}
