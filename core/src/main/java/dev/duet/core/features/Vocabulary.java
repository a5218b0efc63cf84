package dev.duet.core.features;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Values of one categorical field with their indices. Index 0 is the out-of-vocabulary bucket:
 * values first seen after training (new users, new items) all share it.
 */
public final class Vocabulary {

    /** The index of every value the vocabulary does not know. */
    public static final int OOV = 0;

    private final List<String> values;
    private final Map<String, Integer> index;

    /** A vocabulary of the given values, indexed 1..n in the given order. */
    public Vocabulary(List<String> values) {
        this.values = List.copyOf(values);
        this.index = new HashMap<>(values.size() * 2);
        for (int i = 0; i < values.size(); i++) {
            if (index.put(values.get(i), i + 1) != null) {
                throw new IllegalArgumentException("duplicate vocabulary value: " + values.get(i));
            }
        }
    }

    /** A vocabulary of the distinct values, sorted so that it does not depend on input order. */
    public static Vocabulary of(Collection<String> values) {
        return new Vocabulary(List.copyOf(new TreeSet<>(values)));
    }

    /** The value's index, or {@link #OOV}. */
    public int indexOf(String value) {
        Integer i = index.get(value);
        return i == null ? OOV : i;
    }

    /** Number of indices including the OOV bucket. */
    public int size() {
        return values.size() + 1;
    }

    /** The known values in index order (index i + 1 holds values().get(i)). */
    public List<String> values() {
        return values;
    }
}
