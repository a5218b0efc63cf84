package dev.duet.job.model;

import dev.duet.core.data.ItemInfo;
import dev.duet.core.features.FeatureEncoding;
import java.util.Arrays;

/** An item's catalog entry in a form Flink serialises as a POJO. */
public class ItemDescriptor {
    public String itemId;
    public String title;
    public int year;
    public String[] genres;
    /**
     * The entry's encoded columns under the scoring model's encoding, kept with the catalog entry
     * so that each entry is looked up once, not once per row it appears in. Transient: not state,
     * not sent (Flink's POJO serialiser leaves transient fields out).
     */
    public transient FeatureEncoding.ItemColumns columns;

    public ItemDescriptor() {}

    public ItemDescriptor(String itemId, String title, int year, String[] genres) {
        this.itemId = itemId;
        this.title = title;
        this.year = year;
        this.genres = genres;
    }

    public static ItemDescriptor of(ItemInfo info) {
        return new ItemDescriptor(info.itemId(), info.title(), info.year(), info.genres().toArray(String[]::new));
    }

    public ItemInfo toItemInfo() {
        return new ItemInfo(itemId, title, year, genres == null ? java.util.List.of() : Arrays.asList(genres));
    }
}
