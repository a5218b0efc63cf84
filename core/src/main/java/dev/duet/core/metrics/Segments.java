package dev.duet.core.metrics;

import dev.duet.core.samples.Sample;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The segments PROTOCOL.md asks for: cold users (fewer than 5, and S-LLMR's fewer than 3, history
 * items before the sample) and long-tail items (the 20 % least popular items by training-split
 * interactions, counting catalog items never rated in training as least popular).
 */
public final class Segments {

    /** CoReLLa's cold-user threshold: fewer than this many history items. */
    public static final int COLD_USER_HISTORY = 5;
    /** S-LLMR's stricter threshold. */
    public static final int COLD_USER_HISTORY_STRICT = 3;
    /** Share of the catalog that counts as the long tail. */
    public static final double LONG_TAIL_SHARE = 0.2;

    private final Set<String> longTail;

    private Segments(Set<String> longTail) {
        this.longTail = longTail;
    }

    /** Segments defined by the training split and the item catalog. */
    public static Segments fromTraining(List<Sample> train, Collection<String> catalog) {
        Map<String, Integer> counts = new HashMap<>();
        for (String item : catalog) {
            counts.put(item, 0);
        }
        for (Sample s : train) {
            counts.merge(s.itemId(), 1, Integer::sum);
        }
        List<String> items = new ArrayList<>(counts.keySet());
        // Ties broken by id so that the segment does not depend on hash order.
        items.sort(Comparator.comparing((String i) -> counts.get(i)).thenComparing(Comparator.naturalOrder()));
        int tail = (int) Math.round(items.size() * LONG_TAIL_SHARE);
        return new Segments(new HashSet<>(items.subList(0, tail)));
    }

    public boolean isColdUser(Sample s) {
        return s.historyLength() < COLD_USER_HISTORY;
    }

    public boolean isColdUserStrict(Sample s) {
        return s.historyLength() < COLD_USER_HISTORY_STRICT;
    }

    public boolean isLongTailItem(String itemId) {
        return longTail.contains(itemId);
    }

    public int longTailSize() {
        return longTail.size();
    }
}
