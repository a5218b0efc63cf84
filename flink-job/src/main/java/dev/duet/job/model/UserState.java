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

    public UserState() {}

    public int size() {
        return items.length;
    }

    /** Inserts an interaction in event-time order (after equal times) and keeps the newest {@code max}. */
    public void add(String item, float rating, long time, int max) {
        int n = items.length;
        int pos = n;
        while (pos > 0 && times[pos - 1] > time) {
            pos--;
        }
        int keepFrom = n + 1 > max ? n + 1 - max : 0;
        String[] ni = new String[n + 1];
        float[] nr = new float[n + 1];
        long[] nt = new long[n + 1];
        System.arraycopy(items, 0, ni, 0, pos);
        System.arraycopy(ratings, 0, nr, 0, pos);
        System.arraycopy(times, 0, nt, 0, pos);
        ni[pos] = item;
        nr[pos] = rating;
        nt[pos] = time;
        System.arraycopy(items, pos, ni, pos + 1, n - pos);
        System.arraycopy(ratings, pos, nr, pos + 1, n - pos);
        System.arraycopy(times, pos, nt, pos + 1, n - pos);
        items = java.util.Arrays.copyOfRange(ni, keepFrom, n + 1);
        ratings = java.util.Arrays.copyOfRange(nr, keepFrom, n + 1);
        times = java.util.Arrays.copyOfRange(nt, keepFrom, n + 1);
        if (count == 0 || time < firstSeenMs) {
            firstSeenMs = time;
        }
        lastSeenMs = Math.max(lastSeenMs, time);
        count++;
        ratingSum += rating;
    }
}
