package dev.duet.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Live ranking quality as the output topic shows it: for each interaction, whether its item was in
 * the last top-k list the job sent to that user (hit@k), per retrieval source of that list; and for
 * lists the sequence model retrieved, whether the item was in the sequence model's own top k and in
 * popularity's top k (the job's shadow lists, not sent): both retrievals measured on the same
 * interactions of the same replay.
 *
 * <p>"Last" is in event time, interactions before requests at equal times (the replay puts a
 * request right after an interaction and gives it that interaction's time), so the figures do not
 * depend on the order records leave the job's partitions. Thread-safe.
 */
final class RankingHits {

    /** Retrieval sources as the output names them. */
    static final String[] SOURCES = {"sequence", "popularity", "request"};

    private final Map<String, List<Event>> byUser = new HashMap<>();
    private final Map<String, Integer> requestsBySource = new LinkedHashMap<>();
    private int maxK;

    /** One output record: a request's lists (items = sent top k) or an interaction's item. */
    private record Event(long time, boolean interaction, String item, String[] sent, String source, String[] retrieved,
            String[] popularity) {}

    synchronized void request(String user, long eventTime, String[] sent, String source, String[] retrieved, String[] popularity) {
        byUser.computeIfAbsent(user, u -> new ArrayList<>()).add(new Event(eventTime, false, null, sent, source, retrieved, popularity));
        maxK = Math.max(maxK, sent.length);
        requestsBySource.merge(source, 1, Integer::sum);
    }

    synchronized void interaction(String user, long eventTime, String item) {
        byUser.computeIfAbsent(user, u -> new ArrayList<>()).add(new Event(eventTime, true, item, null, null, null, null));
    }

    /** Interactions checked and hits. */
    record Hits(int interactions, int hits) {
        double rate() {
            return interactions == 0 ? Double.NaN : hits / (double) interactions;
        }

        Hits plus(boolean hit) {
            return new Hits(interactions + 1, hits + (hit ? 1 : 0));
        }
    }

    /**
     * @param k the largest list size seen (the requests' k)
     * @param sentBySource hit@k of the sent lists, by the source that retrieved their candidates
     * @param sequenceRetrieved hit@k of the sequence model's own top k (before the CRM ranked them)
     * @param popularityShadow hit@k of popularity's top k on the same interactions as {@code sequenceRetrieved}
     * @param untracked interactions of users with no list yet
     * @param requestsBySource answered requests by where their candidates came from
     */
    record Figures(int k, Map<String, Hits> sentBySource, Hits sequenceRetrieved, Hits popularityShadow, int untracked,
            Map<String, Integer> requestsBySource) {}

    synchronized Figures figures() {
        Map<String, Hits> sent = new LinkedHashMap<>();
        Map<String, Integer> requests = new LinkedHashMap<>();
        for (String s : SOURCES) {
            sent.put(s, new Hits(0, 0));
            requests.put(s, requestsBySource.getOrDefault(s, 0));
        }
        Hits sequence = new Hits(0, 0);
        Hits popularity = new Hits(0, 0);
        int untracked = 0;
        Comparator<Event> order = Comparator.comparingLong(Event::time).thenComparing(e -> !e.interaction());
        for (List<Event> events : byUser.values()) {
            List<Event> sorted = new ArrayList<>(events);
            sorted.sort(order);
            Event last = null;
            for (Event e : sorted) {
                if (!e.interaction()) {
                    last = e;
                    continue;
                }
                if (last == null) {
                    untracked++;
                    continue;
                }
                sent.merge(last.source(), new Hits(1, contains(last.sent(), e.item()) ? 1 : 0),
                        (a, b) -> new Hits(a.interactions() + b.interactions(), a.hits() + b.hits()));
                if (last.retrieved() != null && last.popularity() != null) {
                    sequence = sequence.plus(contains(last.retrieved(), e.item()));
                    popularity = popularity.plus(contains(last.popularity(), e.item()));
                }
            }
        }
        return new Figures(maxK, sent, sequence, popularity, untracked, requests);
    }

    private static boolean contains(String[] items, String item) {
        for (String s : items) {
            if (s.equals(item)) {
                return true;
            }
        }
        return false;
    }
}
