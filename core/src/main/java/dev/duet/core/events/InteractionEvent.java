package dev.duet.core.events;

import dev.duet.core.data.Interaction;
import dev.duet.core.data.UserInfo;

/**
 * One user interaction from the {@code interactions} topic.
 *
 * @param userId the user
 * @param itemId the item
 * @param rating the explicit rating, or the rating an event type maps to ({@link EventTypes})
 * @param eventType the event type as sent ("rating" when the record carried a rating)
 * @param timestampMs event time, epoch milliseconds
 * @param profile the user's profile when the record carried one, else null (the job keeps the
 *     latest profile per user: the CRM encodes gender, age, occupation and zip prefix)
 */
public record InteractionEvent(
        String userId, String itemId, float rating, String eventType, long timestampMs, UserInfo profile) {

    /** An interaction without a profile. */
    public InteractionEvent(String userId, String itemId, float rating, String eventType, long timestampMs) {
        this(userId, itemId, rating, eventType, timestampMs, null);
    }

    /** The interaction in the data model that samples and features are built from. */
    public Interaction toInteraction() {
        return new Interaction(userId, itemId, rating, timestampMs);
    }
}
