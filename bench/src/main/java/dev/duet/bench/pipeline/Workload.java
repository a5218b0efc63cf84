package dev.duet.bench.pipeline;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.Interaction;
import dev.duet.core.data.UserInfo;
import dev.duet.core.samples.SampleBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The benchmark's input stream, as many events as asked for: the data set's interactions in time
 * order (with the user's profile, as the demo replays them), and after every {@code requestEvery}
 * interactions one request of that user with {@code candidates} catalog items. When the data set
 * runs out it starts over with every timestamp moved past the previous round, so event time keeps
 * going forward and user histories keep growing as in a longer stream. The same settings always
 * give the same stream; {@link #cursor()} starts one from the beginning.
 */
public final class Workload {

    /** Prefix of the benchmark's request ids; the number after it is the request's index. */
    public static final String REQUEST_PREFIX = "bench-r-";

    private static final long DAY_MS = 86_400_000L;

    private final String[] users;
    private final String[] prefixes;
    private final String[] suffixes;
    private final long[] times;
    private final List<String> catalog;
    private final long roundShiftMs;
    private final int requestEvery;
    private final int candidates;
    private final int k;
    private final long seed;

    public Workload(Dataset dataset, int requestEvery, int candidates, int k, long seed) {
        if (dataset.interactions().isEmpty()) {
            throw new IllegalArgumentException("data set " + dataset.name() + " has no timed interactions");
        }
        if (requestEvery < 1 || k < 1 || candidates < k) {
            throw new IllegalArgumentException("need requestEvery >= 1 and candidates >= k >= 1");
        }
        List<Interaction> sorted = SampleBuilder.inTimeOrder(dataset.interactions());
        int n = sorted.size();
        users = new String[n];
        prefixes = new String[n];
        suffixes = new String[n];
        times = new long[n];
        for (int i = 0; i < n; i++) {
            Interaction it = sorted.get(i);
            users[i] = it.userId();
            times[i] = it.timestampMs();
            prefixes[i] = "{\"user\":" + quote(it.userId()) + ",\"item\":" + quote(it.itemId()) + ",\"rating\":" + it.rating()
                    + ",\"timestamp\":";
            UserInfo p = dataset.users().get(it.userId());
            suffixes[i] = p == null ? "}" : ",\"profile\":{\"gender\":" + quote(p.gender()) + ",\"age\":" + quote(p.age())
                    + ",\"occupation\":" + quote(p.occupation()) + ",\"zip\":" + quote(p.zip()) + "}}";
        }
        catalog = new ArrayList<>(dataset.items().keySet());
        Collections.sort(catalog);
        if (catalog.size() < candidates) {
            throw new IllegalArgumentException("the catalog has " + catalog.size() + " items, fewer than " + candidates
                    + " candidates per request");
        }
        roundShiftMs = times[n - 1] - times[0] + DAY_MS;
        this.requestEvery = requestEvery;
        this.candidates = candidates;
        this.k = k;
        this.seed = seed;
    }

    /** A new pass over the stream from its first event. */
    public Cursor cursor() {
        return new Cursor();
    }

    /** Of {@code events} events, how many are requests. */
    long requestsIn(long events) {
        return events / (requestEvery + 1);
    }

    /**
     * One input record.
     *
     * @param request true for a request, false for an interaction
     * @param key the Kafka key (the user: one user's events stay in one partition, in order)
     * @param value the JSON value
     * @param requestIndex a request's index (its id is {@link #REQUEST_PREFIX} + index); -1 otherwise
     */
    public record Event(boolean request, byte[] key, byte[] value, long requestIndex) {}

    /** Walks the stream; not thread-safe (one producer thread uses it). */
    public final class Cursor {
        private final Random random = new Random(seed);
        private long position;
        private long interactionsSent;
        private long requestsSent;
        private int sinceRequest;
        private int lastInteraction = -1;
        private long lastTime;

        public Event next() {
            position++;
            if (sinceRequest == requestEvery) {
                sinceRequest = 0;
                long index = requestsSent++;
                String user = users[lastInteraction];
                return new Event(true, user.getBytes(StandardCharsets.UTF_8),
                        requestJson(index, user, lastTime).getBytes(StandardCharsets.UTF_8), index);
            }
            int i = (int) (interactionsSent % users.length);
            long round = interactionsSent / users.length;
            interactionsSent++;
            sinceRequest++;
            lastInteraction = i;
            lastTime = times[i] + round * roundShiftMs;
            String json = prefixes[i] + lastTime + suffixes[i];
            return new Event(false, users[i].getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8), -1);
        }

        /** Event time of the last interaction handed out (0 before the first). */
        public long lastEventTimeMs() {
            return lastTime;
        }

        /** Events handed out so far. */
        public long position() {
            return position;
        }

        private String requestJson(long index, String user, long timestampMs) {
            StringBuilder s = new StringBuilder(64 + candidates * 8);
            s.append("{\"request_id\":\"").append(REQUEST_PREFIX).append(index).append("\",\"user\":").append(quote(user))
                    .append(",\"candidates\":[");
            // Distinct candidates: a request naming one twice is invalid (it would be dead-lettered).
            java.util.Set<Integer> picked = new java.util.HashSet<>();
            while (picked.size() < candidates) {
                int c = random.nextInt(catalog.size());
                if (picked.add(c)) {
                    s.append(picked.size() > 1 ? "," : "").append(quote(catalog.get(c)));
                }
            }
            return s.append("],\"k\":").append(k).append(",\"timestamp\":").append(timestampMs).append('}').toString();
        }
    }

    private static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s == null ? "" : s)) + "\"";
    }
}
