package dev.duet.job.operators;

import dev.duet.core.routing.Route;
import dev.duet.job.model.RetrievalSource;
import dev.duet.job.model.ScoringTask;
import dev.duet.job.model.TopK;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Live ranking quality: for each interaction, whether its item was in the last top-k list sent to
 * that user (hit@k, k being that request's k), per route and per retrieval source of the request
 * that sent the list. With {@code retrieval.shadow-popularity}, requests the sequence model served
 * also carry popularity's top k and the sequence model's own top k (before the CRM ranked them),
 * and both are checked against the same interactions, so the two retrievals are compared on the
 * same events. Passes tasks through unchanged.
 *
 * <p>The last list per user is kept on the heap of the subtask that owns the user (this runs in the
 * user operator's chain: every task of a user reaches the same subtask), at most {@code
 * metrics.ranking-users} users, least recently used evicted. It is not checkpointed: it feeds
 * metrics only, and after a restore a user's interactions count as untracked until their next
 * request. A list counts once its answer passed this step; an interaction that overtakes the answer
 * of the request before it (the LLM path is slower) is checked against the list before that.
 */
public class RankingQuality extends RichMapFunction<ScoringTask, ScoringTask> {

    private static final long serialVersionUID = 1L;
    /** Metric group of the popularity shadow. */
    static final String SHADOW = "popularityShadow";

    private final int maxUsers;

    private transient Map<String, SentList> lastLists;
    private transient Map<String, HitCounter> byRoute;
    private transient Map<String, HitCounter> bySource;
    private transient Map<String, HitCounter> byRetrieval;
    private transient Counter untracked;

    public RankingQuality(int maxUsers) {
        if (maxUsers < 1) {
            throw new IllegalArgumentException("metrics.ranking-users must be positive, got " + maxUsers);
        }
        this.maxUsers = maxUsers;
    }

    /** What a user was last sent: the top k, and what produced it. */
    record SentList(String[] items, String route, String source, String[] retrieved, String[] shadowPopularity) {}

    /** Interactions checked and hits of one kind of list, with the hit rate as a gauge. */
    static final class HitCounter {
        final Counter interactions;
        final Counter hits;

        HitCounter(MetricGroup group) {
            interactions = group.counter("interactionsChecked");
            hits = group.counter("hits");
            group.gauge("hitRate", this::hitRate);
        }

        void add(boolean hit) {
            interactions.inc();
            if (hit) {
                hits.inc();
            }
        }

        double hitRate() {
            long n = interactions.getCount();
            return n == 0 ? Double.NaN : hits.getCount() / (double) n;
        }
    }

    @Override
    public void open(OpenContext openContext) {
        lastLists = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, SentList> eldest) {
                return size() > maxUsers;
            }
        };
        MetricGroup ranking = getRuntimeContext().getMetricGroup().addGroup("ranking");
        byRoute = new LinkedHashMap<>();
        for (Route r : Route.values()) {
            byRoute.put(r.wireName(), new HitCounter(ranking.addGroup("route").addGroup(r.wireName())));
        }
        bySource = new LinkedHashMap<>();
        byRetrieval = new LinkedHashMap<>();
        for (String s : RetrievalSource.ALL) {
            bySource.put(s, new HitCounter(ranking.addGroup("source").addGroup(s)));
        }
        // Retrieval lists before the CRM ranked them (shadow measurement only).
        byRetrieval.put(RetrievalSource.SEQUENCE, new HitCounter(ranking.addGroup("retrieved").addGroup(RetrievalSource.SEQUENCE)));
        byRetrieval.put(SHADOW, new HitCounter(ranking.addGroup("retrieved").addGroup(SHADOW)));
        untracked = ranking.counter("untrackedInteractions");
    }

    @Override
    public ScoringTask map(ScoringTask task) {
        if (task.isInteraction()) {
            check(task);
        } else if (task.candidateCount() > 0) {
            remember(task);
        }
        return task;
    }

    private void check(ScoringTask task) {
        SentList last = lastLists.get(task.userId);
        if (last == null || task.candidateCount() == 0) {
            untracked.inc();
            return;
        }
        String item = task.candidates[0].itemId;
        boolean hit = contains(last.items(), item);
        HitCounter route = byRoute.get(last.route());
        if (route != null) {
            route.add(hit);
        }
        HitCounter source = bySource.get(last.source());
        if (source != null) {
            source.add(hit);
        }
        if (last.retrieved() != null && last.shadowPopularity() != null) {
            byRetrieval.get(RetrievalSource.SEQUENCE).add(contains(last.retrieved(), item));
            byRetrieval.get(SHADOW).add(contains(last.shadowPopularity(), item));
        }
    }

    private void remember(ScoringTask task) {
        int n = task.candidateCount();
        float[] scores = task.finalScores == null ? task.crmScores : task.finalScores;
        if (scores == null) {
            return;
        }
        int k = Math.min(n, Math.max(1, task.k));
        int[] best = TopK.indices(scores, n, k);
        String[] items = new String[k];
        for (int i = 0; i < k; i++) {
            items[i] = task.candidates[best[i]].itemId;
        }
        String source = task.retrievalSource == null ? RetrievalSource.REQUEST : task.retrievalSource;
        lastLists.put(task.userId, new SentList(items, task.route, source, task.retrievedItems, task.shadowPopularityItems));
    }

    private static boolean contains(String[] items, String item) {
        for (String s : items) {
            if (s.equals(item)) {
                return true;
            }
        }
        return false;
    }

    /** Hit counters for tests: by route, source, or retrieval ("sequence", {@link #SHADOW}). */
    HitCounter route(String route) {
        return byRoute.get(route);
    }

    HitCounter source(String source) {
        return bySource.get(source);
    }

    HitCounter retrieved(String which) {
        return byRetrieval.get(which);
    }

    long untracked() {
        return untracked.getCount();
    }
}
