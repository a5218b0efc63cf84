package dev.duet.core.data;

/**
 * One rating (or implicit interaction) of an item by a user.
 *
 * @param userId the user's id as the source names it
 * @param itemId the item's id as the source names it
 * @param rating the rating on the source's scale (MovieLens: 1..5); {@link #IMPLICIT} for implicit
 *     feedback
 * @param timestampMs when it happened, epoch milliseconds
 */
public record Interaction(String userId, String itemId, float rating, long timestampMs) {

    /** The rating recorded for implicit feedback (a listen, a click). */
    public static final float IMPLICIT = 0f;

    public Interaction {
        if (userId == null || userId.isEmpty()) {
            throw new IllegalArgumentException("user id is empty");
        }
        if (itemId == null || itemId.isEmpty()) {
            throw new IllegalArgumentException("item id is empty");
        }
    }
}
