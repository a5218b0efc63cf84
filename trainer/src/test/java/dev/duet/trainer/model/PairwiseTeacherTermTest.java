package dev.duet.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PairwiseTeacherTermTest {

    @Test
    void epochOrderPairsRowsOfOneUserAdjacentAndCoversEveryRowOnce() {
        int n = 101;
        float[] teacher = new float[n];
        String[] users = new String[n];
        Random random = new Random(1);
        for (int r = 0; r < n; r++) {
            users[r] = "u" + random.nextInt(7);
            teacher[r] = r % 10 == 0 ? Float.NaN : random.nextFloat();
        }
        PairwiseTeacherTerm term = new PairwiseTeacherTerm(teacher, users, 1f, 1f, 0f);
        int[] order = new int[n];
        term.epochOrder(new Random(2), order);
        Set<Integer> seen = new HashSet<>();
        for (int r : order) {
            assertThat(seen.add(r)).as("row %d once", r).isTrue();
        }
        assertThat(seen).hasSize(n);
        int pairs = 0;
        for (int i = 0; i < n; i++) {
            int r = order[i];
            int q = term.partner[r];
            if (Float.isNaN(teacher[r])) {
                assertThat(q).isEqualTo(-1);
                continue;
            }
            if (q >= 0) {
                assertThat(term.partner[q]).isEqualTo(r);
                assertThat(users[q]).isEqualTo(users[r]);
                boolean adjacent = (i > 0 && order[i - 1] == q) || (i + 1 < n && order[i + 1] == q);
                assertThat(adjacent).as("pair (%d, %d) adjacent", r, q).isTrue();
                pairs++;
            }
        }
        // 7 users, so at most 7 rows with a score stay unpaired.
        assertThat(pairs).isGreaterThanOrEqualTo(90 - 7 - 1);
        // Another epoch pairs differently.
        int[] before = term.partner.clone();
        term.epochOrder(new Random(3), order);
        assertThat(term.partner).isNotEqualTo(before);
    }

    @Test
    void hingePullsTheTeachersFavouriteUpOnlyInsideTheMargin() {
        float[] teacher = {0.9f, 0.1f};
        PairwiseTeacherTerm term = new PairwiseTeacherTerm(teacher, new String[] {"u", "u"}, 2f, 1f, 0f);
        term.setPartners(new int[] {1, 0});
        term.setGates(new float[] {0.5f, 0.3f});
        int[] rows = {1, 0};
        float[] grad = new float[2];
        // Logits: row 1 (teacher's low) 0.2, row 0 (teacher's high) 0.5: inside the margin.
        double loss = term.addTo(rows, 2, new float[] {0.2f, 0.5f}, 0.5f, grad, null);
        float weight = 0.5f * 2f * 0.4f;
        assertThat(loss).isCloseTo(weight * (1f - 0.3f), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(grad[1]).isEqualTo(-weight);
        assertThat(grad[0]).isEqualTo(weight);
        // Outside the margin nothing happens.
        float[] none = new float[2];
        assertThat(term.addTo(rows, 2, new float[] {0.2f, 1.5f}, 0.5f, none, null)).isZero();
        assertThat(none).containsExactly(0f, 0f);
    }
}
