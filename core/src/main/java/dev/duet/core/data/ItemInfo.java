package dev.duet.core.data;

import java.util.List;

/**
 * What the catalog knows of an item: shown to the LLM as text and encoded for the CRM.
 *
 * @param itemId the item's id
 * @param title human-readable title, e.g. "Toy Story (1995)"
 * @param year release year, or 0 when unknown
 * @param genres genre names, possibly empty
 */
public record ItemInfo(String itemId, String title, int year, List<String> genres) {

    public ItemInfo {
        genres = List.copyOf(genres);
        title = title == null ? "" : title;
    }

    /** An item the catalog does not know: its id stands in for the title. */
    public static ItemInfo unknown(String itemId) {
        return new ItemInfo(itemId, "item " + itemId, 0, List.of());
    }

    /** The text an LLM prompt shows for the item: title plus genres. */
    public String describe() {
        return genres.isEmpty() ? title : title + " [" + String.join(", ", genres) + "]";
    }
}
