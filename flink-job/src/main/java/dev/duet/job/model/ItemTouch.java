package dev.duet.job.model;

/**
 * What the item-popularity operator needs of an interaction: the item and the event time. The
 * interaction itself goes straight to the user operator; only this small record crosses the
 * exchange keyed by item.
 */
public class ItemTouch {
    public String itemId;
    public long timestampMs;

    public ItemTouch() {}

    public ItemTouch(String itemId, long timestampMs) {
        this.itemId = itemId;
        this.timestampMs = timestampMs;
    }
}
