package dev.duet.trainer.nextitem;

import dev.duet.core.data.Split;
import java.util.List;

/**
 * One next-item case: the items before the target (oldest first, at most the model's history
 * length), the target, its split, and the user when the data names users.
 *
 * @param user the user's id, or null for data without users (LLaRA's LastFM)
 * @param history the items before {@code next}, oldest first
 * @param next the true next item
 * @param split which split the case belongs to
 */
public record NextItemCase(String user, List<String> history, String next, Split split) {

    public NextItemCase {
        history = List.copyOf(history);
        if (next == null || next.isEmpty()) {
            throw new IllegalArgumentException("next item is empty");
        }
    }
}
