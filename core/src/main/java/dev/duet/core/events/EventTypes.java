package dev.duet.core.events;

import java.util.Locale;
import java.util.Map;

/**
 * How implicit event types become ratings on the 1..5 scale the CRM's labels use (label = rating
 * &gt;= 4): strong positive signals are positives, weak or negative ones are negatives.
 */
public final class EventTypes {

    /** Event type to rating. */
    public static final Map<String, Float> RATINGS =
            Map.of(
                    "purchase", 5f,
                    "like", 5f,
                    "click", 4f,
                    "play", 4f,
                    "view", 3f,
                    "skip", 2f,
                    "dislike", 1f);

    private EventTypes() {}

    /** The rating of an event type, or null when the type is unknown. */
    public static Float rating(String eventType) {
        return eventType == null ? null : RATINGS.get(eventType.toLowerCase(Locale.ROOT));
    }
}
