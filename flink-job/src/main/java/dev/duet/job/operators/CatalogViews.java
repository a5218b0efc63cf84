package dev.duet.job.operators;

import dev.duet.job.model.ItemDescriptor;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The user operators' catalog and popularity, readable by the candidate retrieval step that runs
 * chained behind them. The catalog lives in the user operator's broadcast state; the retrieval step
 * resolves the ids it retrieved through it instead of holding a second broadcast copy, which would
 * make it a two-input operator that cannot chain, so every task would cross one more exchange.
 * A task carries its user operator's handle (a plain string, so it survives the copies Flink makes
 * between chained operators without object reuse).
 */
public final class CatalogViews {

    /** What the retrieval step reads of a user operator. Called on the task thread only. */
    public interface View {
        /** The catalog entry of {@code itemId} (an "unknown item" entry when the catalog lacks it). */
        ItemDescriptor item(String itemId) throws Exception;

        /** The item's decayed popularity at {@code timeMs} as the user operator knows it. */
        double popularity(String itemId, long timeMs) throws Exception;
    }

    private static final Map<String, View> VIEWS = new ConcurrentHashMap<>();

    private CatalogViews() {}

    /** Registers a view; returns its handle. */
    public static String register(View view) {
        String handle = UUID.randomUUID().toString();
        VIEWS.put(handle, view);
        return handle;
    }

    public static void unregister(String handle) {
        if (handle != null) {
            VIEWS.remove(handle);
        }
    }

    /** The view of {@code handle}, or null when it is not (or no longer) registered in this JVM. */
    public static View get(String handle) {
        return handle == null ? null : VIEWS.get(handle);
    }
}
