package dev.duet.job.operators;

import dev.duet.core.data.Interaction;
import dev.duet.core.data.ItemInfo;
import dev.duet.core.events.EventParser;
import dev.duet.core.events.InvalidEventException;
import dev.duet.core.events.ModelControl;
import dev.duet.core.samples.Sample;
import dev.duet.core.samples.SampleBuilder;
import dev.duet.job.model.DecayedCount;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemDescriptor;
import dev.duet.job.model.JobEvent;
import dev.duet.job.model.RetrievalSource;
import dev.duet.job.model.ScoringTask;
import dev.duet.job.model.UserState;
import dev.duet.job.model.UserStateSerializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per user (keyed by user id): the recent history in RocksDB. Every interaction first becomes a
 * prequential sample built from the state as it was before it ({@link SampleBuilder#sample}, so the
 * features match training), then updates the state. A request becomes one task whose candidates are
 * its own or the most popular items the user has not seen (which the retrieval step after this one,
 * {@link CandidateRetrieval}, replaces with the sequence model's when one is set). The broadcast
 * side holds the catalog, item popularity and the current model paths (CRM and sequence model).
 *
 * <p>Recently used users' state objects are cached on the heap ({@link KeyedStateCache}): written
 * through to the state when this function runs in Flink's own operator (as in the harness tests),
 * written behind (on eviction and before each checkpoint barrier) in the job's {@link
 * UserHistoryOperator}.
 */
public class UserHistory extends KeyedBroadcastProcessFunction<String, JobEvent, JobEvent, ScoringTask> {

    private static final long serialVersionUID = 1L;

    public static final MapStateDescriptor<String, ItemDescriptor> CATALOG =
            new MapStateDescriptor<>("catalog", Types.STRING, TypeInformation.of(ItemDescriptor.class));
    /** Item popularity as last broadcast by {@link ItemPopularity}; read decayed to the event's time. */
    public static final MapStateDescriptor<String, DecayedCount> POPULARITY =
            new MapStateDescriptor<>("popularity", Types.STRING, TypeInformation.of(DecayedCount.class));
    public static final MapStateDescriptor<String, String> CONTROL =
            new MapStateDescriptor<>("control", Types.STRING, Types.STRING);
    static final String MODEL_KEY = "model";
    /** Control state key of the sequence model (candidate retrieval). */
    static final String SEQUENCE_MODEL_KEY = "sequence-model";

    private static final long TOP_REFRESH_MS = 1000;

    private final int maxHistory;
    private final Duration ttl;
    private final long popularityHalfLifeMs;
    private final int candidatePool;
    private final String catalogSeedFile;
    private final int userCacheSize;

    private transient CachedValueState<UserState> users;
    private transient Map<String, ItemDescriptor> seed;
    /** Counts catalog changes on this subtask: users' looked-up entries of an older catalog are looked up again. */
    private transient long catalogChanges;
    private transient List<String> topItems;
    private transient long topComputedAtMs;
    private transient Counter lateEvents;
    private transient Counter interactions;
    private transient Counter requests;
    /** This subtask's catalog and popularity for the retrieval step ({@link CatalogViews}). */
    private transient String catalogHandle;
    private transient ReadOnlyBroadcastState<String, ItemDescriptor> catalogState;
    private transient ReadOnlyBroadcastState<String, DecayedCount> popularityState;

    public UserHistory(int maxHistory, Duration ttl, Duration popularityHalfLife, int candidatePool, String catalogSeedFile) {
        this(maxHistory, ttl, popularityHalfLife, candidatePool, catalogSeedFile, 0);
    }

    /**
     * @param userCacheSize users whose state objects each subtask keeps on the heap in front of the
     *     keyed state ({@link KeyedStateCache}); 0 reads and writes the state only
     */
    public UserHistory(int maxHistory, Duration ttl, Duration popularityHalfLife, int candidatePool, String catalogSeedFile,
            int userCacheSize) {
        if (maxHistory < SampleBuilder.HISTORY) {
            throw new IllegalArgumentException("history length must be at least " + SampleBuilder.HISTORY);
        }
        if (userCacheSize < 0) {
            throw new IllegalArgumentException("state.user-cache-size must not be negative, got " + userCacheSize);
        }
        this.userCacheSize = userCacheSize;
        this.maxHistory = maxHistory;
        this.ttl = ttl;
        this.popularityHalfLifeMs = DecayedCount.halfLifeMs(popularityHalfLife);
        this.candidatePool = candidatePool;
        this.catalogSeedFile = catalogSeedFile == null ? "" : catalogSeedFile;
    }

    @Override
    public void open(OpenContext openContext) throws IOException {
        ValueStateDescriptor<UserState> descriptor = new ValueStateDescriptor<>("user", UserStateSerializer.INSTANCE);
        if (!ttl.isZero()) {
            descriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl).build());
        }
        KeyedStateCache<UserState> cache = new KeyedStateCache<>(userCacheSize, ttl.toMillis(), System::currentTimeMillis);
        users = new CachedValueState<>(getRuntimeContext().getState(descriptor), cache);
        getRuntimeContext().getMetricGroup().gauge("userStateCacheHits", () -> cache.hits());
        getRuntimeContext().getMetricGroup().gauge("userStateCacheMisses", () -> cache.misses());
        getRuntimeContext().getMetricGroup().gauge("userStateCacheWrites", () -> cache.flushedWrites());
        seed = catalogSeedFile.isEmpty() ? Map.of() : readSeed(Path.of(catalogSeedFile));
        lateEvents = getRuntimeContext().getMetricGroup().counter("lateEvents");
        interactions = getRuntimeContext().getMetricGroup().counter("interactions");
        requests = getRuntimeContext().getMetricGroup().counter("requests");
        catalogHandle = CatalogViews.register(new CatalogViews.View() {
            @Override
            public ItemDescriptor item(String itemId) throws Exception {
                return UserHistory.this.item(itemId, catalogState);
            }

            @Override
            public double popularity(String itemId, long timeMs) throws Exception {
                return UserHistory.this.popularity(itemId, timeMs, popularityState);
            }
        });
    }

    @Override
    public void close() throws Exception {
        CatalogViews.unregister(catalogHandle);
        super.close();
    }

    /** Reads a JSON-lines catalog; a bad line fails with the file and line number. */
    public static Map<String, ItemDescriptor> readSeed(Path file) throws IOException {
        Map<String, ItemDescriptor> items = new HashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                ItemInfo info = EventParser.parseItem(line);
                items.put(info.itemId(), ItemDescriptor.of(info));
            } catch (InvalidEventException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + e.getMessage());
            }
        }
        return items;
    }

    @Override
    public void processElement(JobEvent event, ReadOnlyContext ctx, Collector<ScoringTask> out) throws Exception {
        Long ts = ctx.timestamp();
        if (ts != null && ts < ctx.currentWatermark()) {
            lateEvents.inc();
        }
        String userId = ctx.getCurrentKey();
        UserState user = users.value(userId);
        if (user == null) {
            user = new UserState();
        }
        if (event.hasProfile()) {
            // The latest profile wins; it is state, so it also serves events that carry none.
            user.gender = event.gender;
            user.age = event.age;
            user.occupation = event.occupation;
            user.zip = event.zip;
            if (event.kind == EventKind.REQUEST) {
                users.update(userId, user);
            }
        }
        ReadOnlyBroadcastState<String, ItemDescriptor> catalog = ctx.getBroadcastState(CATALOG);
        catalogState = catalog;
        popularityState = ctx.getBroadcastState(POPULARITY);
        String modelPath = ctx.getBroadcastState(CONTROL).get(MODEL_KEY);
        if (event.kind == EventKind.INTERACTION) {
            interactions.inc();
            Interaction interaction = new Interaction(event.userId, event.itemId, event.rating, event.timestampMs);
            Sample sample = SampleBuilder.sample(interaction, user.items, user.ratings, user.times);
            ScoringTask task = task(event, sample, user, catalog, modelPath);
            task.id = event.eventId;
            task.label = sample.label();
            task.rating = event.rating;
            task.k = 1;
            ItemDescriptor entry = item(event.itemId, catalog);
            task.candidates = new ItemDescriptor[] {entry};
            task.candidatePopularity = new double[] {popularity(event.itemId, event.timestampMs, ctx.getBroadcastState(POPULARITY))};
            out.collect(task);
            user.add(event.itemId, entry, event.rating, event.timestampMs, maxHistory);
            users.update(userId, user);
        } else if (event.kind == EventKind.REQUEST) {
            requests.inc();
            boolean own = event.candidates != null && event.candidates.length > 0;
            String[] ids = own ? event.candidates : popularUnseen(user, event.timestampMs, ctx.getBroadcastState(POPULARITY), catalog);
            Interaction probe = new Interaction(event.userId, ids.length > 0 ? ids[0] : "-", 0f, event.timestampMs);
            Sample sample = SampleBuilder.sample(probe, user.items, user.ratings, user.times);
            ScoringTask task = task(event, sample, user, catalog, modelPath);
            task.id = event.requestId;
            task.label = -1;
            task.k = event.k;
            task.retrievalSource = own ? RetrievalSource.REQUEST : RetrievalSource.POPULARITY;
            if (!own) {
                // The retrieval step (CandidateRetrieval) may replace popularity's candidates. No copy:
                // UserState replaces its arrays on every change, so this one stays as it is now.
                task.retrievalHistory = user.items;
                task.sequenceModelPath = ctx.getBroadcastState(CONTROL).get(SEQUENCE_MODEL_KEY);
                task.catalogHandle = catalogHandle;
            }
            task.candidates = new ItemDescriptor[ids.length];
            task.candidatePopularity = new double[ids.length];
            ReadOnlyBroadcastState<String, DecayedCount> popularity = ctx.getBroadcastState(POPULARITY);
            for (int i = 0; i < ids.length; i++) {
                task.candidates[i] = item(ids[i], catalog);
                task.candidatePopularity[i] = popularity(ids[i], event.timestampMs, popularity);
            }
            out.collect(task);
        } else {
            throw new IllegalStateException("unexpected event kind on the keyed input: " + event.kind);
        }
    }

    /** Reads served by the cache so far (tests). */
    long cacheHits() {
        return users.cache().hits();
    }

    /** The users' state with its cache, for {@link UserHistoryOperator} to write behind (after open()). */
    CachedValueState<UserState> users() {
        return users;
    }

    private ScoringTask task(JobEvent event, Sample sample, UserState user, ReadOnlyBroadcastState<String, ItemDescriptor> catalog, String modelPath)
            throws Exception {
        ScoringTask task = new ScoringTask();
        task.kind = event.kind;
        task.userId = event.userId;
        task.timestampMs = event.timestampMs;
        task.ingestMs = event.ingestMs;
        task.userInteractions = user.count;
        task.gender = user.gender;
        task.age = user.age;
        task.occupation = user.occupation;
        task.zip = user.zip;
        task.modelPath = modelPath;
        int n = sample.historyLength();
        task.history = new ItemDescriptor[n];
        task.historyRatings = sample.historyRatings().clone();
        task.historyTimes = new long[n];
        // The sample's history is the last n entries strictly before the event; find their times.
        long[] times = user.times;
        int end = SampleBuilder.historyEnd(user.size(), i -> times[i], event.timestampMs);
        ItemDescriptor[] entries = itemEntries(user, catalog);
        for (int i = 0; i < n; i++) {
            task.history[i] = entries[end - n + i];
            task.historyTimes[i] = user.times[end - n + i];
        }
        return task;
    }

    /**
     * The catalog entries of the user's history, looked up when the state was read or the catalog
     * changed, else kept from before ({@link UserState#add} keeps them aligned with the items).
     */
    private ItemDescriptor[] itemEntries(UserState user, ReadOnlyBroadcastState<String, ItemDescriptor> catalog)
            throws Exception {
        ItemDescriptor[] entries = user.itemEntries;
        if (entries == null || user.itemEntriesCatalog != catalogChanges || entries.length != user.items.length) {
            entries = new ItemDescriptor[user.items.length];
            for (int i = 0; i < entries.length; i++) {
                entries[i] = item(user.items[i], catalog);
            }
            user.itemEntries = entries;
            user.itemEntriesCatalog = catalogChanges;
        }
        return entries;
    }

    /**
     * The item's popularity as this operator knows it at {@code timeMs}: the last broadcast count,
     * decayed. It may lag the item's true count by the update tolerance, and for an interaction it
     * may or may not include the interaction itself (the two paths race); it feeds the gate and
     * candidate generation, not the CRM's features.
     */
    private double popularity(String itemId, long timeMs, ReadOnlyBroadcastState<String, DecayedCount> popularity)
            throws Exception {
        DecayedCount p = popularity.get(itemId);
        return p == null ? 0 : p.valueAt(timeMs, popularityHalfLifeMs);
    }

    private ItemDescriptor item(String id, ReadOnlyBroadcastState<String, ItemDescriptor> catalog) throws Exception {
        ItemDescriptor d = catalog.get(id);
        if (d == null) {
            d = seed.get(id);
        }
        return d != null ? d : ItemDescriptor.of(ItemInfo.unknown(id));
    }

    private String[] popularUnseen(UserState user, long timeMs, ReadOnlyBroadcastState<String, DecayedCount> popularity,
            ReadOnlyBroadcastState<String, ItemDescriptor> catalog) throws Exception {
        long now = System.currentTimeMillis();
        if (topItems == null || now - topComputedAtMs > TOP_REFRESH_MS) {
            List<Map.Entry<String, Double>> entries = new ArrayList<>();
            for (Map.Entry<String, DecayedCount> e : popularity.immutableEntries()) {
                entries.add(Map.entry(e.getKey(), e.getValue().valueAt(timeMs, popularityHalfLifeMs)));
            }
            entries.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
            List<String> top = new ArrayList<>();
            for (int i = 0; i < entries.size() && top.size() < candidatePool + maxHistory; i++) {
                top.add(entries.get(i).getKey());
            }
            if (top.isEmpty()) {
                // Nothing interacted with yet: any catalog items, in id order.
                List<String> known = new ArrayList<>();
                for (Map.Entry<String, ItemDescriptor> e : catalog.immutableEntries()) {
                    known.add(e.getKey());
                }
                known.addAll(seed.keySet());
                top = new ArrayList<>(new java.util.TreeSet<>(known));
                if (top.size() > candidatePool + maxHistory) {
                    top = top.subList(0, candidatePool + maxHistory);
                }
            }
            topItems = top;
            topComputedAtMs = now;
        }
        Set<String> seen = new HashSet<>(List.of(user.items));
        List<String> result = new ArrayList<>();
        for (String id : topItems) {
            if (!seen.contains(id)) {
                result.add(id);
                if (result.size() == candidatePool) {
                    break;
                }
            }
        }
        return result.toArray(String[]::new);
    }

    @Override
    public void processBroadcastElement(JobEvent event, Context ctx, Collector<ScoringTask> out) throws Exception {
        switch (event.kind) {
            case ITEM -> {
                BroadcastState<String, ItemDescriptor> catalog = ctx.getBroadcastState(CATALOG);
                catalog.put(event.itemId, event.item);
                catalogChanges++;
            }
            case POPULARITY -> ctx.getBroadcastState(POPULARITY).put(event.itemId,
                    new DecayedCount(event.itemPopularity, event.timestampMs));
            case CONTROL -> {
                boolean sequenceModel = ModelControl.Target.SEQUENCE_MODEL.name().equals(event.controlTarget);
                // Kept for the tasks to come (and restored with the broadcast state) ...
                ctx.getBroadcastState(CONTROL).put(sequenceModel ? SEQUENCE_MODEL_KEY : MODEL_KEY, event.modelPath);
                // ... and handed on now, so that the model opens in the background before tasks need it.
                out.collect(ScoringTask.modelControl(sequenceModel, event.modelPath));
            }
            default -> throw new IllegalStateException("unexpected event kind on the broadcast input: " + event.kind);
        }
    }
}
