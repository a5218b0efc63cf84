package dev.duet.core.samples;

/**
 * One click-through sample (PROTOCOL.md section 1): a user, a target item, the label, and the
 * user's most recent rated items strictly before the sample's time.
 *
 * @param userId the user
 * @param itemId the target item
 * @param timestampMs when the rating happened
 * @param rating the rating that gives the label (implicit positives: 1, sampled negatives: 0)
 * @param label 1 when the user liked the item, else 0; -1 when unknown (a live request)
 * @param historyItems up to {@link SampleBuilder#HISTORY} items, oldest first
 * @param historyRatings their ratings, aligned with {@code historyItems}
 */
public record Sample(
        String userId,
        String itemId,
        long timestampMs,
        float rating,
        int label,
        String[] historyItems,
        float[] historyRatings) {

    public Sample {
        if (historyItems.length != historyRatings.length) {
            throw new IllegalArgumentException("history items and ratings differ in length");
        }
    }

    /** How many history items the sample has. */
    public int historyLength() {
        return historyItems.length;
    }
}
