package dev.duet.job.model;

/**
 * What the job keeps per user: the most recent interactions in event-time order (bounded), counts
 * and a small profile of the user's behaviour.
 */
public class UserState {
    public String[] items = new String[0];
    public float[] ratings = new float[0];
    public long[] times = new long[0];
    /** All interactions ever seen (not bounded by the history length). */
    public long count;
    public double ratingSum;
    public long firstSeenMs;
    public long lastSeenMs;
    /** The latest profile the user's events carried ("" when none did). */
    public String gender = "";
    public String age = "";
    public String occupation = "";
    public String zip = "";
    /**
     * The catalog entries of {@link #items}, aligned with them, or null when not looked up yet. Kept
     * on the heap only (not state, not copied): the user operator looks each entry up once, when the
     * item enters the history, instead of looking all 50 up again for every event
     * (docs/benchmarks.md: those lookups were a fifth of the user operator's samples).
     */
    public transient ItemDescriptor[] itemEntries;
    /** Which catalog {@link #itemEntries} were looked up in (the user operator counts catalog changes). */
    public transient long itemEntriesCatalog;

    public UserState() {}

    public int size() {
        return items.length;
    }

    /** Inserts an interaction in event-time order (after equal times) and keeps the newest {@code max}. */
    public void add(String item, float rating, long time, int max) {
        add(item, null, rating, time, max);
    }

    /**
     * {@link #add(String, float, long, int)} that keeps {@link #itemEntries} aligned: {@code entry}
     * (the item's catalog entry) takes the new item's place; without one the entries are dropped.
     */
    public void add(String item, ItemDescriptor entry, float rating, long time, int max) {
        int n = items.length;
        int pos = n;
        while (pos > 0 && times[pos - 1] > time) {
            pos--;
        }
        // The merged sequence is old[0, pos), the new entry, old[pos, n); the oldest `drop` of its
        // n + 1 entries fall off. Each array is allocated once, at its final length.
        int drop = Math.max(0, n + 1 - max);
        int length = n + 1 - drop;
        String[] ni = new String[length];
        float[] nr = new float[length];
        long[] nt = new long[length];
        if (pos > drop) {
            System.arraycopy(items, drop, ni, 0, pos - drop);
            System.arraycopy(ratings, drop, nr, 0, pos - drop);
            System.arraycopy(times, drop, nt, 0, pos - drop);
        }
        if (pos >= drop) {
            ni[pos - drop] = item;
            nr[pos - drop] = rating;
            nt[pos - drop] = time;
        }
        int from = Math.max(pos, drop - 1); // first old entry after the new one that is kept
        System.arraycopy(items, from, ni, from + 1 - drop, n - from);
        System.arraycopy(ratings, from, nr, from + 1 - drop, n - from);
        System.arraycopy(times, from, nt, from + 1 - drop, n - from);
        if (entry != null && itemEntries != null && itemEntries.length == n) {
            ItemDescriptor[] ne = new ItemDescriptor[length];
            if (pos > drop) {
                System.arraycopy(itemEntries, drop, ne, 0, pos - drop);
            }
            if (pos >= drop) {
                ne[pos - drop] = entry;
            }
            System.arraycopy(itemEntries, from, ne, from + 1 - drop, n - from);
            itemEntries = ne;
        } else {
            itemEntries = null;
        }
        items = ni;
        ratings = nr;
        times = nt;
        if (count == 0 || time < firstSeenMs) {
            firstSeenMs = time;
        }
        lastSeenMs = Math.max(lastSeenMs, time);
        count++;
        ratingSum += rating;
    }
}
