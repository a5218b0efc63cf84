package dev.duet.trainer.nextitem;

import dev.duet.core.sequence.SequenceModelContract;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Item ids to model rows: row 0 is padding ({@link SequenceModelContract#PADDING_ROW}), rows 1..N
 * the items of the training split in order of first appearance (history items before the target).
 * Items seen only in validation or test have no row: a model cannot rank them.
 */
public final class ItemVocabulary {

    private final List<String> ids;
    private final Map<String, Integer> rows;

    private ItemVocabulary(List<String> ids) {
        this.ids = List.copyOf(ids);
        this.rows = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            if (rows.put(ids.get(i), i + 1) != null) {
                throw new IllegalArgumentException("item " + ids.get(i) + " appears twice in the vocabulary");
            }
        }
    }

    /** The vocabulary of the given (training) cases. */
    public static ItemVocabulary fit(List<NextItemCase> training) {
        Map<String, Boolean> seen = new java.util.LinkedHashMap<>();
        for (NextItemCase c : training) {
            c.history().forEach(id -> seen.putIfAbsent(id, Boolean.TRUE));
            seen.putIfAbsent(c.next(), Boolean.TRUE);
        }
        return new ItemVocabulary(new ArrayList<>(seen.keySet()));
    }

    /** A vocabulary with the given ids as rows 1..N (e.g. read back from a model's metadata). */
    public static ItemVocabulary of(List<String> ids) {
        return new ItemVocabulary(ids);
    }

    /** The row of an item, or 0 (padding) when it has none. */
    public int row(String id) {
        return rows.getOrDefault(id, SequenceModelContract.PADDING_ROW);
    }

    public boolean contains(String id) {
        return rows.containsKey(id);
    }

    /** The item id of row {@code row} (1..N). */
    public String id(int row) {
        return ids.get(row - 1);
    }

    /** N, the number of items (rows 1..N). */
    public int size() {
        return ids.size();
    }

    /** N + 1, the rows of an item table including padding. */
    public int rows() {
        return ids.size() + 1;
    }

    /** The ids of rows 1..N in order. */
    public List<String> ids() {
        return ids;
    }
}
