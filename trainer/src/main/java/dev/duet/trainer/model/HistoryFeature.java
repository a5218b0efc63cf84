package dev.duet.trainer.model;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Optional representations of the user's history that {@link Dcnv2Model} adds to its input
 * {@code x0}, beside the masked mean and the rating-weighted pool it always has. All are computed
 * from the contract's inputs (history items, ratings, mask and the target item), so a model with
 * any of them is served exactly as before; {@link OnnxExporter} writes them into the graph.
 */
public enum HistoryFeature {

    /**
     * Two masked means: over the history items the user liked (normalised rating above 0, i.e.
     * rating 4 or 5 on MovieLens; every item of implicit data) and over the others, each divided by
     * its own count (at least one). Adds {@code 2D} columns.
     */
    LIKED_POOLS,

    /**
     * Target-aware attention (DIN-style): weights {@code softmax_k(e_t W_a e_k)} over the masked
     * history from a bilinear form of the target item's and each history item's embeddings,
     * times the history item's normalised rating, pool the history embeddings. Adds {@code D}
     * columns and the parameter group {@code attention.weight [D, D]}.
     */
    ATTENTION,

    /**
     * The target item's embedding's dot products with the liked pool and the not-liked pool (as
     * in {@link #LIKED_POOLS}, computed whether or not those are inputs themselves). Adds 2
     * columns.
     */
    TARGET_DOTS,

    /**
     * The liked and the not-liked pool read two item tables of their own ({@code history.liked}
     * and {@code history.disliked}, [items, D] each, rows as the item field's) instead of the
     * shared embedding table, so that what a history item says about the user, liked or not, is
     * learnt apart from the item's embedding as a target (as a logistic regression's "history item
     * crossed with liked" weights are). Needs {@link #LIKED_POOLS} or {@link #TARGET_DOTS}.
     */
    LIKED_TABLES;

    /** Rejects a set in which a feature has nothing to act on. */
    static void requireConsistent(Set<HistoryFeature> set) {
        if (set.contains(LIKED_TABLES) && !set.contains(LIKED_POOLS) && !set.contains(TARGET_DOTS)) {
            throw new IllegalArgumentException(
                    "history feature liked-tables needs liked-pools or target-dots");
        }
    }

    /** The option spelling, e.g. {@code liked-pools}. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses a comma-separated list such as {@code liked-pools,target-dots}; {@code none} or an
     * empty string is the empty set.
     *
     * @throws IllegalArgumentException naming the unknown value and the known ones
     */
    public static Set<HistoryFeature> parse(String list) {
        EnumSet<HistoryFeature> set = EnumSet.noneOf(HistoryFeature.class);
        String trimmed = list.trim();
        if (trimmed.isEmpty() || trimmed.equalsIgnoreCase("none")) {
            return set;
        }
        for (String part : trimmed.split(",")) {
            String name = part.trim();
            HistoryFeature found = null;
            for (HistoryFeature f : values()) {
                if (f.optionName().equalsIgnoreCase(name) || f.name().equalsIgnoreCase(name)) {
                    found = f;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("unknown history feature '" + name
                        + "'; known: none, liked-pools, attention, target-dots, liked-tables");
            }
            set.add(found);
        }
        requireConsistent(set);
        return set;
    }
}
