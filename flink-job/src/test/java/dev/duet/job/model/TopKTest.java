package dev.duet.job.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopKTest {

    @Test
    void bestIsTheStableDescendingOrdersFirstK() {
        float[] scores = {0.5f, 0.9f, 0.5f, 0.1f, 0.9f};
        assertThat(TopK.indices(scores, 5, 3)).containsExactly(1, 4, 0);
        assertThat(TopK.indices(scores, 5, 5)).containsExactly(1, 4, 0, 2, 3);
        assertThat(TopK.indices(scores, 0, 0)).isEmpty();
    }
}
