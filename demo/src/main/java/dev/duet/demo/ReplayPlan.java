package dev.duet.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duet.core.data.Dataset;
import dev.duet.core.data.Interaction;
import dev.duet.core.data.ItemInfo;
import dev.duet.core.data.UserInfo;
import dev.duet.core.samples.SampleBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the demo replays: the data's test period (the last 10 % in time, as {@link SampleBuilder}
 * splits it) as interactions, one request after every few interactions, with candidates drawn from
 * the catalog or (a set share of them) without candidates, so that the job retrieves them, and a
 * few malformed records spread through the stream. When more events are asked
 * for than the test period holds, the replay starts earlier so that it still ends with the test
 * period: the job builds its user state from what it reads, and the earlier events warm it up.
 */
public final class ReplayPlan {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Malformed records of both input topics, each failing validation for another reason. */
    private static final String[][] BAD = {
        {"interactions", "{\"user\": \"u1\", \"item\": "},
        {"interactions", "{\"item\": \"i1\", \"rating\": 4, \"timestamp\": 1700000000000}"},
        {"requests", "{\"request_id\": \"bad-k\", \"user\": \"u1\", \"k\": 0}"},
        {"interactions", "{\"user\": \"u1\", \"item\": \"i1\", \"rating\": 42, \"timestamp\": 1700000000000}"},
        {"requests", "{\"request_id\": \"bad-c\", \"user\": \"u1\", \"k\": 2, \"candidates\": [\"a\", \"a\"]}"},
        {"interactions", "not json at all"},
    };

    private final List<InputRecord> records;
    private final int interactions;
    private final int requests;
    private final int bad;
    private final int testPeriodInteractions;

    private ReplayPlan(List<InputRecord> records, int testPeriodInteractions) {
        this.records = List.copyOf(records);
        this.interactions = count(records, InputRecord.Kind.INTERACTION);
        this.requests = count(records, InputRecord.Kind.REQUEST);
        this.bad = count(records, InputRecord.Kind.BAD);
        this.testPeriodInteractions = testPeriodInteractions;
    }

    /** Plans {@code events} good inputs (interactions and requests) plus {@code badRecords}. */
    static ReplayPlan of(Dataset dataset, int events, int requestEvery, int candidates, int k, int badRecords, long seed) {
        return of(dataset, events, requestEvery, candidates, k, 0, badRecords, seed);
    }

    /**
     * As above; a share {@code retrievalShare} of the requests (drawn with the seed) carry no
     * candidates, so that the job retrieves theirs.
     */
    static ReplayPlan of(Dataset dataset, int events, int requestEvery, int candidates, int k, double retrievalShare,
            int badRecords, long seed) {
        if (dataset.interactions().isEmpty()) {
            throw new IllegalArgumentException("data set " + dataset.name() + " has no timed interactions to replay"
                    + " (sequence-only data such as LastFM cannot be replayed)");
        }
        List<Interaction> sorted = SampleBuilder.inTimeOrder(dataset.interactions());
        int n = sorted.size();
        int testStart = (int) Math.floor(n * 0.9);
        // Interactions needed so that interactions + one request per requestEvery make `events`.
        int wanted = (int) Math.ceil(events * (double) requestEvery / (requestEvery + 1));
        if (wanted > n) {
            throw new IllegalArgumentException("data set " + dataset.name() + " has " + n + " interactions; --events "
                    + events + " needs " + wanted + " (ask for fewer events or use more data)");
        }
        int start = Math.max(0, Math.min(testStart, n - wanted));

        List<String> catalog = new ArrayList<>(dataset.items().keySet());
        Collections.sort(catalog);
        if (catalog.size() < candidates) {
            throw new IllegalArgumentException("the catalog has " + catalog.size() + " items, fewer than --candidates " + candidates);
        }
        Random random = new Random(seed);
        List<InputRecord> good = new ArrayList<>(events);
        int sinceRequest = 0;
        int requestNo = 0;
        for (int i = start; good.size() < events; i++) {
            Interaction it = sorted.get(i);
            good.add(new InputRecord(InputRecord.Kind.INTERACTION, Topics.INTERACTIONS, it.userId(), interactionJson(it, dataset.users().get(it.userId())), null));
            if (++sinceRequest == requestEvery && good.size() < events) {
                sinceRequest = 0;
                String id = "demo-request-" + (++requestNo);
                List<String> drawn = draw(catalog, candidates, random);
                boolean retrieve = retrievalShare > 0 && random.nextDouble() < retrievalShare;
                good.add(new InputRecord(InputRecord.Kind.REQUEST, Topics.REQUESTS, it.userId(),
                        requestJson(id, it, retrieve ? null : drawn, k), id));
            }
        }
        List<InputRecord> all = new ArrayList<>(good);
        // Bad records at evenly spread places, from the back so earlier indexes stay valid.
        for (int b = badRecords - 1; b >= 0; b--) {
            String[] spec = BAD[b % BAD.length];
            int at = (int) ((long) (b + 1) * good.size() / (badRecords + 1));
            all.add(at, new InputRecord(InputRecord.Kind.BAD, spec[0], null, spec[1], null));
        }
        return new ReplayPlan(all, n - Math.max(start, testStart));
    }

    List<InputRecord> records() {
        return records;
    }

    int interactions() {
        return interactions;
    }

    int requests() {
        return requests;
    }

    int bad() {
        return bad;
    }

    /** How many of the replayed interactions lie in the data's test period. */
    int testPeriodInteractions() {
        return Math.min(testPeriodInteractions, interactions);
    }

    /** The catalog as JSON lines in the items topic's format (the job's catalog seed file). */
    public static List<String> catalogLines(Dataset dataset) {
        List<String> lines = new ArrayList<>(dataset.items().size());
        for (ItemInfo item : dataset.items().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", item.itemId());
            m.put("title", item.title() == null || item.title().isBlank() ? "item " + item.itemId() : item.title());
            m.put("genres", item.genres());
            if (item.year() > 0 && item.year() <= 3000) {
                m.put("year", item.year());
            }
            lines.add(json(m));
        }
        Collections.sort(lines);
        return lines;
    }

    private static List<String> draw(List<String> catalog, int count, Random random) {
        List<String> picked = new ArrayList<>(count);
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (picked.size() < count) {
            String id = catalog.get(random.nextInt(catalog.size()));
            if (seen.add(id)) {
                picked.add(id);
            }
        }
        return picked;
    }

    /** An interaction record, with the user's profile when the data set has one (the CRM encodes it). */
    private static String interactionJson(Interaction it, UserInfo profile) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", it.userId());
        m.put("item", it.itemId());
        m.put("rating", it.rating());
        m.put("timestamp", it.timestampMs());
        if (profile != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("gender", profile.gender());
            p.put("age", profile.age());
            p.put("occupation", profile.occupation());
            p.put("zip", profile.zip());
            m.put("profile", p);
        }
        return json(m);
    }

    private static String requestJson(String id, Interaction after, List<String> candidates, int k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("request_id", id);
        m.put("user", after.userId());
        if (candidates != null) {
            m.put("candidates", candidates);
        }
        m.put("k", k);
        m.put("timestamp", after.timestampMs());
        return json(m);
    }

    private static String json(Map<String, Object> m) {
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int count(List<InputRecord> records, InputRecord.Kind kind) {
        return (int) records.stream().filter(r -> r.kind() == kind).count();
    }
}
