package dev.duet.job.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic input records for the integration tests. */
public final class TestStreams {

    public static final long START_MS = 1_700_000_000_000L;

    private TestStreams() {}

    /** The ids {@link #items} gives, in order. */
    public static List<String> itemIds(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add("i" + i);
        }
        return ids;
    }

    public static List<String> items(int count) {
        String[] genres = {"Drama", "Comedy", "Action", "Animation", "Horror"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add("{\"id\":\"i" + i + "\",\"title\":\"Item " + i + " (" + (1980 + i % 40) + ")\",\"genres\":[\""
                    + genres[i % genres.length] + "\"],\"year\":" + (1980 + i % 40) + "}");
        }
        return out;
    }

    /** Interactions of {@code users} users over {@code items} items, popular items more often. */
    public static List<String> interactions(int count, int users, int items, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int user = r.nextInt(users);
            int item = (int) Math.min(items - 1, Math.floor(Math.pow(r.nextDouble(), 2) * items));
            long ts = START_MS + i * 60_000L + r.nextInt(30_000);
            if (i % 7 == 3) {
                out.add("{\"user\":\"u" + user + "\",\"item\":\"i" + item + "\",\"event\":\"click\",\"timestamp\":" + ts + "}");
            } else {
                out.add("{\"user\":\"u" + user + "\",\"item\":\"i" + item + "\",\"rating\":" + (1 + r.nextInt(5)) + ",\"timestamp\":" + ts + "}");
            }
        }
        return out;
    }

    /**
     * Requests, every other one with explicit candidates: one from the upper half of the catalog,
     * one unknown item and one from the lower half, so the three are always distinct (a request
     * with a repeated candidate is invalid and would be dead-lettered).
     */
    public static List<String> requests(int count, int users, int items, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int user = r.nextInt(users);
            long ts = START_MS + i * 300_000L;
            if (i % 2 == 0) {
                out.add("{\"request_id\":\"r" + i + "\",\"user\":\"u" + user + "\",\"candidates\":[\"i" + (items / 2 + r.nextInt(items - items / 2)) + "\",\"i"
                        + (items + 5) + "\",\"i" + r.nextInt(items / 2) + "\"],\"k\":2,\"timestamp\":" + ts + "}");
            } else {
                out.add("{\"request_id\":\"r" + i + "\",\"user\":\"u" + user + "\",\"k\":5,\"timestamp\":" + ts + "}");
            }
        }
        return out;
    }

    /** Records that must all be dead-lettered, one per failure mode. */
    public static List<String> badInteractions() {
        return List.of(
                "this is not json",
                "{\"item\":\"i1\",\"rating\":4,\"timestamp\":1700000000000}",
                "{\"user\":\"u1\",\"item\":\"i1\",\"rating\":42,\"timestamp\":1700000000000}",
                "{\"user\":\"u1\",\"item\":\"i1\",\"event\":\"teleport\",\"timestamp\":1700000000000}",
                "[]",
                "");
    }

    public static List<String> badRequests() {
        return List.of("{\"request_id\":\"bad1\",\"user\":\"u1\"}", "{\"user\":\"u1\",\"k\":3}", "{oops");
    }
}
