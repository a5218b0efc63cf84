package dev.duet.job.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duet.job.model.EventKind;
import dev.duet.job.model.RetrievalSource;
import dev.duet.job.model.ScoringTask;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class RankingQualityHarnessTest {

    /** An answered request: candidates with final scores, route and retrieval source. */
    private static ScoringTask answered(String user, int k, String route, String source, String[] items, float[] scores) {
        ScoringTask t = CrmBatchScorerHarnessTest.task(user, null, items);
        t.kind = EventKind.REQUEST;
        t.k = k;
        t.route = route;
        t.retrievalSource = source;
        t.crmScores = scores;
        t.finalScores = scores;
        return t;
    }

    private static ScoringTask interaction(String user, String item) {
        ScoringTask t = CrmBatchScorerHarnessTest.task(user, null, item);
        t.route = "crm";
        t.finalScores = new float[] {0.5f};
        return t;
    }

    private static OneInputStreamOperatorTestHarness<ScoringTask, ScoringTask> harness(int users) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new StreamMap<>(new RankingQuality(users)));
    }

    private static RankingQuality function(OneInputStreamOperatorTestHarness<ScoringTask, ScoringTask> h) {
        return (RankingQuality) ((StreamMap<?, ?>) h.getOperator()).getUserFunction();
    }

    @Test
    void anInteractionHitsWhenItsItemWasInTheLastTopKSentToItsUser() throws Exception {
        try (var h = harness(100)) {
            h.open();
            h.processElement(interaction("u1", "a"), 1); // no list yet
            // Top 2 by score: c (0.9), a (0.8); b is retrieved but not sent.
            h.processElement(answered("u1", 2, "crm", RetrievalSource.SEQUENCE, new String[] {"a", "b", "c"},
                    new float[] {0.8f, 0.1f, 0.9f}), 2);
            h.processElement(interaction("u1", "c"), 3); // hit
            h.processElement(interaction("u1", "b"), 4); // miss: b was not in the top 2
            h.processElement(answered("u2", 1, "llm", RetrievalSource.POPULARITY, new String[] {"x", "y"},
                    new float[] {0.2f, 0.7f}), 5);
            h.processElement(interaction("u2", "y"), 6); // hit on route llm, source popularity
            h.processElement(interaction("u3", "y"), 7); // another user: untracked

            RankingQuality q = function(h);
            assertThat(q.untracked()).isEqualTo(2);
            assertThat(q.route("crm").interactions.getCount()).isEqualTo(2);
            assertThat(q.route("crm").hits.getCount()).isEqualTo(1);
            assertThat(q.route("crm").hitRate()).isEqualTo(0.5);
            assertThat(q.route("llm").hitRate()).isEqualTo(1.0);
            assertThat(q.route("fallback").hitRate()).isNaN();
            assertThat(q.source(RetrievalSource.SEQUENCE).hitRate()).isEqualTo(0.5);
            assertThat(q.source(RetrievalSource.POPULARITY).hitRate()).isEqualTo(1.0);
            assertThat(q.source(RetrievalSource.REQUEST).interactions.getCount()).isZero();
            // Without the shadow, the retrieval lists are not measured.
            assertThat(q.retrieved(RetrievalSource.SEQUENCE).interactions.getCount()).isZero();
            assertThat(h.extractOutputValues()).hasSize(7); // tasks pass through
        }
    }

    @Test
    void theShadowMeasuresBothRetrievalsOnTheSameInteractions() throws Exception {
        try (var h = harness(100)) {
            h.open();
            ScoringTask request = answered("u1", 2, "crm", RetrievalSource.SEQUENCE, new String[] {"s1", "s2", "s3"},
                    new float[] {0.1f, 0.2f, 0.3f});
            request.retrievedItems = new String[] {"s1", "s2"};
            request.shadowPopularityItems = new String[] {"p1", "p2"};
            h.processElement(request, 1);
            h.processElement(interaction("u1", "s1"), 2); // retrieved top 2 hit, sent top 2 (s3, s2) miss
            h.processElement(interaction("u1", "p2"), 3); // popularity hit
            h.processElement(interaction("u1", "s2"), 4); // both sent and retrieved
            RankingQuality q = function(h);
            assertThat(q.retrieved(RetrievalSource.SEQUENCE).interactions.getCount()).isEqualTo(3);
            assertThat(q.retrieved(RetrievalSource.SEQUENCE).hits.getCount()).isEqualTo(2);
            assertThat(q.retrieved(RankingQuality.SHADOW).interactions.getCount()).isEqualTo(3);
            assertThat(q.retrieved(RankingQuality.SHADOW).hits.getCount()).isEqualTo(1);
            assertThat(q.source(RetrievalSource.SEQUENCE).hits.getCount()).isEqualTo(1);
        }
    }

    @Test
    void theLeastRecentlyUsedUsersListIsForgotten() throws Exception {
        try (var h = harness(1)) {
            h.open();
            h.processElement(answered("u1", 1, "crm", RetrievalSource.REQUEST, new String[] {"a"}, new float[] {1}), 1);
            h.processElement(answered("u2", 1, "crm", RetrievalSource.REQUEST, new String[] {"a"}, new float[] {1}), 2);
            h.processElement(interaction("u1", "a"), 3);
            h.processElement(interaction("u2", "a"), 4);
            RankingQuality q = function(h);
            assertThat(q.untracked()).isEqualTo(1);
            assertThat(q.source(RetrievalSource.REQUEST).hits.getCount()).isEqualTo(1);
        }
    }
}
