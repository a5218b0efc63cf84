package dev.duet.trainer.nextitem;

import dev.duet.core.data.DataFormatException;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.Interaction;
import dev.duet.core.data.SequenceCase;
import dev.duet.core.data.Split;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Next-item cases by PROTOCOL.md section 2, built from a loaded {@link Dataset}.
 *
 * <p>Data that comes as sequence cases (LLaRA's LastFM) keeps its own split. Interaction data
 * (MovieLens, synthetic) is turned into cases like this: every user's interactions in time order
 * (ties keep the source order); every position with at least one earlier interaction is a case whose
 * history is the last {@code maxHistory} items before it; all cases of all users are then sorted by
 * the target's time (ties: user id, then position) and split 8:1:1 in that order, so that every
 * validation case happens after every training case and every test case after every validation case.
 *
 * @param name the data set's name
 * @param cases all cases, training first
 * @param interactedByUser every item each user ever interacted with (empty for data without users)
 * @param splitRule how the split was made, for the report
 */
public record NextItemData(
        String name, List<NextItemCase> cases, Map<String, Set<String>> interactedByUser, String splitRule) {

    public static final String GIVEN_SPLIT = "the data set's own split (train.tsv, val.tsv, test.tsv)";
    public static final String CHRONOLOGICAL_SPLIT =
            "every user's interactions in time order, each position with an earlier interaction a case"
                    + " (history = the last L items before it); all cases sorted by the target's time and"
                    + " split 8:1:1 in that order";

    public NextItemData {
        cases = List.copyOf(cases);
        interactedByUser = Map.copyOf(interactedByUser);
    }

    /** Builds the cases; fails with one line naming the data set when no usable case results. */
    public static NextItemData from(Dataset dataset, int maxHistory) {
        if (maxHistory < 1) {
            throw new IllegalArgumentException("history length must be at least 1, got " + maxHistory);
        }
        NextItemData data = dataset.sequenceCases().isEmpty()
                ? fromInteractions(dataset, maxHistory)
                : fromSequenceCases(dataset, maxHistory);
        data.requireUsable();
        return data;
    }

    private static NextItemData fromSequenceCases(Dataset dataset, int maxHistory) {
        List<NextItemCase> cases = new ArrayList<>();
        for (SequenceCase c : dataset.sequenceCases()) {
            List<String> h = c.history();
            cases.add(new NextItemCase(null, h.subList(Math.max(0, h.size() - maxHistory), h.size()), c.next(), c.split()));
        }
        return new NextItemData(dataset.name(), cases, Map.of(), GIVEN_SPLIT);
    }

    private static NextItemData fromInteractions(Dataset dataset, int maxHistory) {
        Map<String, List<Interaction>> byUser = new LinkedHashMap<>();
        for (Interaction i : dataset.interactions()) {
            byUser.computeIfAbsent(i.userId(), u -> new ArrayList<>()).add(i);
        }
        record Timed(long time, String user, int position, List<String> history, String next) {}
        List<Timed> timed = new ArrayList<>();
        Map<String, Set<String>> interacted = new HashMap<>();
        for (Map.Entry<String, List<Interaction>> e : byUser.entrySet()) {
            List<Interaction> seq = new ArrayList<>(e.getValue());
            seq.sort(Comparator.comparingLong(Interaction::timestampMs)); // stable: ties keep source order
            Set<String> items = new HashSet<>();
            for (int p = 0; p < seq.size(); p++) {
                items.add(seq.get(p).itemId());
                if (p == 0) {
                    continue;
                }
                List<String> history = new ArrayList<>();
                for (int k = Math.max(0, p - maxHistory); k < p; k++) {
                    history.add(seq.get(k).itemId());
                }
                timed.add(new Timed(seq.get(p).timestampMs(), e.getKey(), p, history, seq.get(p).itemId()));
            }
            interacted.put(e.getKey(), items);
        }
        timed.sort(Comparator.comparingLong(Timed::time).thenComparing(Timed::user).thenComparingInt(Timed::position));
        int trainEnd = (int) Math.round(timed.size() * 0.8);
        int validEnd = (int) Math.round(timed.size() * 0.9);
        List<NextItemCase> cases = new ArrayList<>(timed.size());
        for (int i = 0; i < timed.size(); i++) {
            Timed t = timed.get(i);
            Split split = i < trainEnd ? Split.TRAIN : i < validEnd ? Split.VALID : Split.TEST;
            cases.add(new NextItemCase(t.user(), t.history(), t.next(), split));
        }
        return new NextItemData(dataset.name(), cases, interacted, CHRONOLOGICAL_SPLIT);
    }

    private void requireUsable() {
        if (cases.isEmpty()) {
            throw new DataFormatException("Data set " + name + " has no usable next-item cases"
                    + (splitRule.equals(GIVEN_SPLIT) ? " (its split files hold no rows)"
                            : " (a case needs an item after at least one earlier item of the same user)"));
        }
        for (Split split : Split.values()) {
            if (cases(split).isEmpty()) {
                throw new DataFormatException("Data set " + name + " has no usable next-item cases in its "
                        + split.name().toLowerCase() + " split (" + cases.size() + " cases in all, "
                        + counts().toString().replace("{", "").replace("}", "").replace("=", " ")
                        + (splitRule.equals(GIVEN_SPLIT) ? "; the split comes from the data set's own files)"
                                : "; too few for the chronological 8:1:1 split)"));
            }
        }
    }

    /** The cases of one split, in order. */
    public List<NextItemCase> cases(Split split) {
        return cases.stream().filter(c -> c.split() == split).toList();
    }

    /**
     * The items a case's user never interacted with are the candidates' pool; this is what must be
     * left out: all the user's items, or for data without users the case's history and target.
     */
    public Set<String> excludedFromCandidates(NextItemCase c) {
        Set<String> all = c.user() == null ? null : interactedByUser.get(c.user());
        if (all != null) {
            return all;
        }
        Set<String> own = new HashSet<>(c.history());
        own.add(c.next());
        return own;
    }

    /** Case counts per split, for reports. */
    public Map<String, Integer> counts() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Split split : Split.values()) {
            m.put(split.name().toLowerCase(), cases(split).size());
        }
        return m;
    }
}
