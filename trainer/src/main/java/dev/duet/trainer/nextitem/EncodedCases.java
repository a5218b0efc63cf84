package dev.duet.trainer.nextitem;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Cases as model rows: histories right-aligned in {@code [n][L]} (most recent item in the last
 * column, padding 0 on the left; history items without a row become padding), targets (0 when the
 * target has no row: no model can rank it, and it counts as a miss), and each case's excluded rows
 * for candidate sampling.
 */
public final class EncodedCases {

    private final int[][] histories;
    private final int[] targets;
    private final int[][] excluded;

    private EncodedCases(int[][] histories, int[] targets, int[][] excluded) {
        this.histories = histories;
        this.targets = targets;
        this.excluded = excluded;
    }

    public static EncodedCases encode(List<NextItemCase> cases, NextItemData data, ItemVocabulary vocabulary, int maxHistory) {
        int n = cases.size();
        int[][] histories = new int[n][];
        int[] targets = new int[n];
        int[][] excluded = new int[n][];
        for (int i = 0; i < n; i++) {
            NextItemCase c = cases.get(i);
            histories[i] = rightAligned(c.history(), vocabulary, maxHistory);
            targets[i] = vocabulary.row(c.next());
            Set<String> out = data.excludedFromCandidates(c);
            excluded[i] = out.stream().mapToInt(vocabulary::row).filter(r -> r > 0).sorted().distinct().toArray();
        }
        return new EncodedCases(histories, targets, excluded);
    }

    /** The last {@code maxHistory} items as rows, right-aligned, 0 on the left. */
    public static int[] rightAligned(List<String> history, ItemVocabulary vocabulary, int maxHistory) {
        int[] row = new int[maxHistory];
        int from = Math.max(0, history.size() - maxHistory);
        int offset = maxHistory - (history.size() - from);
        for (int k = from; k < history.size(); k++) {
            row[offset + k - from] = vocabulary.row(history.get(k));
        }
        return row;
    }

    public int size() {
        return targets.length;
    }

    public int[][] histories() {
        return histories;
    }

    public int[] targets() {
        return targets;
    }

    /** Sorted rows a case's candidates must not be drawn from (its user's items). */
    public int[] excluded(int i) {
        return excluded[i];
    }

    /** How many targets have no row in the vocabulary. */
    public int unknownTargets() {
        return (int) Arrays.stream(targets).filter(t -> t == 0).count();
    }
}
