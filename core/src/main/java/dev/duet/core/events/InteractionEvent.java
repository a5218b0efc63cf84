package dev.duet.core.events;

import dev.duet.core.data.Interaction;

/**
 * One user interaction from the {@code interactions} topic.
 *
 * @param userId the user
 * @param itemId the item
 * @param rating the explicit rating, or the rating an event type maps to ({@link EventTypes})
 * @param eventType the event type as sent ("rating" when the record carried a rating)
 * @param timestampMs event time, epoch milliseconds
 */
public record InteractionEvent(String userId, String itemId, float rating, String eventType, long timestampMs) {

    /** The interaction in the data model that samples and features are built from. */
    public Interaction toInteraction() {
        return new Interaction(userId, itemId, rating, timestampMs);
    }
}
