package dev.duet.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RankingHitsTest {

    @Test
    void eachInteractionIsCheckedAgainstTheLastListBeforeItInEventTime() {
        RankingHits h = new RankingHits();
        // Arrival order differs from event time: figures follow event time.
        h.interaction("u1", 30, "b");
        h.request("u1", 20, new String[] {"a", "b"}, "sequence", new String[] {"a", "c"}, new String[] {"b", "d"});
        h.interaction("u1", 10, "a"); // before any list: untracked
        h.request("u1", 40, new String[] {"x"}, "popularity", null, null);
        h.interaction("u1", 40, "x"); // same time as the request: the interaction came first, so the list at 20 counts
        h.interaction("u1", 50, "x"); // the list at 40
        h.interaction("u2", 5, "q");
        h.request("u2", 1, new String[] {"q"}, "request", null, null);

        RankingHits.Figures f = h.figures();
        assertThat(f.k()).isEqualTo(2);
        assertThat(f.untracked()).isEqualTo(1);
        assertThat(f.requestsBySource()).containsEntry("sequence", 1).containsEntry("popularity", 1).containsEntry("request", 1);
        assertThat(f.sentBySource().get("sequence")).isEqualTo(new RankingHits.Hits(2, 1)); // b hit, x missed
        assertThat(f.sentBySource().get("popularity")).isEqualTo(new RankingHits.Hits(1, 1));
        assertThat(f.sentBySource().get("request")).isEqualTo(new RankingHits.Hits(1, 1));
        // The two retrievals on the same two interactions (b at 30, x at 40).
        assertThat(f.sequenceRetrieved()).isEqualTo(new RankingHits.Hits(2, 0));
        assertThat(f.popularityShadow()).isEqualTo(new RankingHits.Hits(2, 1));
        assertThat(f.popularityShadow().rate()).isEqualTo(0.5);
        assertThat(new RankingHits().figures().sequenceRetrieved().rate()).isNaN();
    }
}
