package dev.duet.core.data;

import java.util.List;
import java.util.Map;

/**
 * A loaded data set: interactions in source order (ties in time keep this order), the item catalog
 * and user profiles. Next-item data without users or times (LLaRA's LastFM) comes as {@link
 * #sequenceCases()} instead of interactions.
 *
 * @param name a short name, e.g. "ml-100k" or "synthetic(seed=42)"
 * @param interactions rated interactions in source order; empty for sequence-only data
 * @param sequenceCases next-item cases with their split; empty for interaction data
 * @param items the catalog by item id
 * @param users profiles by user id (may be empty)
 * @param implicitFeedback true when there are no ratings (every interaction is a positive)
 */
public record Dataset(
        String name,
        List<Interaction> interactions,
        List<SequenceCase> sequenceCases,
        Map<String, ItemInfo> items,
        Map<String, UserInfo> users,
        boolean implicitFeedback) {

    public Dataset {
        interactions = List.copyOf(interactions);
        sequenceCases = List.copyOf(sequenceCases);
        items = Map.copyOf(items);
        users = Map.copyOf(users);
    }

    /** The catalog entry of an item, or a stand-in when the catalog does not list it. */
    public ItemInfo item(String itemId) {
        ItemInfo info = items.get(itemId);
        return info != null ? info : ItemInfo.unknown(itemId);
    }

    /** The profile of a user, or an empty one. */
    public UserInfo user(String userId) {
        UserInfo info = users.get(userId);
        return info != null ? info : UserInfo.anonymous(userId);
    }

    /** How many ratings or cases the data set has. */
    public int size() {
        return interactions.isEmpty() ? sequenceCases.size() : interactions.size();
    }
}
