package dev.duet.job.operators;

import dev.duet.job.model.DecayedCount;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemTouch;
import dev.duet.job.model.JobEvent;
import dev.duet.job.model.PopularityState;
import java.io.IOException;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per item (keyed by item id): a popularity that decays with event time (half-life configurable),
 * broadcast to the user operators (candidate generation, the gate's tail feature) as {@link
 * EventKind#POPULARITY} updates.
 *
 * <p>An update leaves only when the count grew by more than {@code tolerance} (relative) over what
 * the user operators already hold, brought to the same time: they decay what they hold themselves,
 * so between updates they are at most that far below the true value. A popular item's count moves
 * by a fraction of a percent per interaction; sending every change cost two serialised records per
 * interaction (one per user-operator subtask) for no difference a gate or a ranking can see.
 *
 * <p>Recently touched items' counts are cached on the heap ({@link KeyedStateCache}), written
 * behind in the job's {@link ItemPopularityOperator} as the users' state is.
 */
public class ItemPopularity extends KeyedProcessFunction<String, ItemTouch, JobEvent> {

    private static final long serialVersionUID = 1L;

    private final long halfLifeMs;
    private final Duration ttl;
    private final double tolerance;
    private final int cacheSize;

    private transient ValueState<PopularityState> state;
    private transient KeyedStateCache<PopularityState> cache;
    /** Set by {@link ItemPopularityOperator}: writes an item's count under that item's key (write-behind). */
    private transient KeyedStateCache.Writer<PopularityState> keyedWriter;
    private transient Counter updatesSent;

    public ItemPopularity(Duration halfLife, Duration ttl, double tolerance) {
        this(halfLife, ttl, tolerance, 0);
    }

    /**
     * @param cacheSize items whose counts each subtask keeps on the heap in front of the keyed
     *     state ({@link KeyedStateCache}); 0 reads and writes the state only
     */
    public ItemPopularity(Duration halfLife, Duration ttl, double tolerance, int cacheSize) {
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException("popularity update tolerance must be in [0, 1): " + tolerance);
        }
        if (cacheSize < 0) {
            throw new IllegalArgumentException("state.item-cache-size must not be negative, got " + cacheSize);
        }
        this.cacheSize = cacheSize;
        this.halfLifeMs = DecayedCount.halfLifeMs(halfLife);
        this.ttl = ttl;
        this.tolerance = tolerance;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<PopularityState> descriptor =
                new ValueStateDescriptor<>("popularity", TypeInformation.of(PopularityState.class));
        if (!ttl.isZero()) {
            descriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl).build());
        }
        state = getRuntimeContext().getState(descriptor);
        cache = new KeyedStateCache<>(cacheSize, ttl.toMillis(), System::currentTimeMillis);
        updatesSent = getRuntimeContext().getMetricGroup().counter("popularityUpdatesSent");
        getRuntimeContext().getMetricGroup().gauge("itemStateCacheHits", () -> cache.hits());
        getRuntimeContext().getMetricGroup().gauge("itemStateCacheMisses", () -> cache.misses());
        getRuntimeContext().getMetricGroup().gauge("itemStateCacheWrites", () -> cache.flushedWrites());
    }

    @Override
    public void processElement(ItemTouch touch, Context ctx, Collector<JobEvent> out) throws Exception {
        String item = ctx.getCurrentKey();
        PopularityState s = cache.get(item);
        if (s == null) {
            s = state.value();
        }
        long t = touch.timestampMs;
        if (s == null) {
            s = new PopularityState();
            s.current = new DecayedCount(1, t);
        } else if (t >= s.current.atMs) {
            s.current.count = s.current.valueAt(t, halfLifeMs) + 1;
            s.current.atMs = t;
        } else {
            // A late event: the count as of the latest time seen, plus the event's decayed weight.
            s.current.count += DecayedCount.decay(s.current.atMs - t, halfLifeMs);
        }
        DecayedCount now = s.current;
        if (s.sent == null || now.count > (1 + tolerance) * s.sent.valueAt(now.atMs, halfLifeMs)) {
            s.sent = new DecayedCount(now.count, now.atMs);
            JobEvent update = new JobEvent();
            update.kind = EventKind.POPULARITY;
            update.itemId = touch.itemId;
            update.itemPopularity = now.count;
            update.timestampMs = now.atMs;
            out.collect(update);
            updatesSent.inc();
        }
        write(item, s);
    }

    /**
     * Turns on write-behind: writes stay in the cache until the item is evicted or {@link
     * #flushCache} runs. {@code writer} must write under the given item's key; only an operator that
     * flushes before every checkpoint barrier may call this ({@link ItemPopularityOperator}).
     */
    void enableWriteBehind(KeyedStateCache.Writer<PopularityState> writer) {
        this.keyedWriter = writer;
    }

    /** Writes every item the cache holds unwritten to the state (write-behind only). */
    void flushCache() throws Exception {
        if (keyedWriter != null) { // set after open(), so the cache exists
            cache.flushDirty(keyedWriter);
        }
    }

    /** The state update for the current key (the write-behind writer calls it after setting the key). */
    void updateState(PopularityState value) throws IOException {
        state.update(value);
    }

    /** Reads served by the cache so far (tests). */
    long cacheHits() {
        return cache.hits();
    }

    private void write(String item, PopularityState s) throws Exception {
        if (keyedWriter != null) {
            cache.putDirty(item, s, keyedWriter);
        } else {
            state.update(s);
            cache.putClean(item, s);
        }
    }
}
