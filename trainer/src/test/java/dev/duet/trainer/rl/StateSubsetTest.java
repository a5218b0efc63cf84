package dev.duet.trainer.rl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.core.data.Split;
import dev.duet.trainer.nextitem.NextItemCase;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StateSubsetTest {

    /** Users named like MovieLens's ("1" to "943"): neighbouring hash codes, as the data has them. */
    private static List<NextItemCase> cases(int users) {
        List<NextItemCase> cases = new ArrayList<>();
        for (int u = 1; u <= users; u++) {
            for (int i = 0; i < 3; i++) {
                cases.add(new NextItemCase(Integer.toString(u), List.of("a" + i), "b" + i, Split.TRAIN));
            }
        }
        return cases;
    }

    @Test
    void takesAboutHalfOfTheUsersWithAllTheirCases() {
        List<NextItemCase> cases = cases(943);
        for (long seed = 1; seed <= 3; seed++) {
            int[] subset = TextEnvironment.stateSubset(cases, seed);
            Set<String> users = new HashSet<>();
            for (int i : subset) {
                users.add(cases.get(i).user());
            }
            // Binomial(943, 0.5): the standard deviation is 15 users, so 0.42 to 0.58 is over 5 of them.
            assertThat(users.size()).isBetween(396, 547);
            assertThat(subset).hasSize(3 * users.size());
        }
    }

    @Test
    void dependsOnTheSeed() {
        List<NextItemCase> cases = cases(943);
        assertThat(TextEnvironment.stateSubset(cases, 1)).isNotEqualTo(TextEnvironment.stateSubset(cases, 2));
        assertThat(TextEnvironment.stateSubset(cases, 1)).isEqualTo(TextEnvironment.stateSubset(cases, 1));
    }
}
