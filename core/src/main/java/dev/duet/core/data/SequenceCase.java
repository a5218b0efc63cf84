package dev.duet.core.data;

import java.util.List;

/**
 * A next-item case as LLaRA's data sets give it: a history of items (oldest first) and the item
 * that came next. Such data has no user ids, ratings or timestamps; its split is given by its files.
 *
 * @param history the items before {@code next}, oldest first, padding removed
 * @param next the true next item
 * @param split which split the case belongs to
 */
public record SequenceCase(List<String> history, String next, Split split) {

    public SequenceCase {
        history = List.copyOf(history);
    }
}
