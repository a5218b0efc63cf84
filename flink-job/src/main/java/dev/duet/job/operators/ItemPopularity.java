package dev.duet.job.operators;

import dev.duet.job.model.DecayedCount;
import dev.duet.job.model.EventKind;
import dev.duet.job.model.ItemTouch;
import dev.duet.job.model.JobEvent;
import dev.duet.job.model.PopularityState;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
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

    private transient CachedValueState<PopularityState> counts;
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
        KeyedStateCache<PopularityState> cache = new KeyedStateCache<>(cacheSize, ttl.toMillis(), System::currentTimeMillis);
        counts = new CachedValueState<>(getRuntimeContext().getState(descriptor), cache);
        updatesSent = getRuntimeContext().getMetricGroup().counter("popularityUpdatesSent");
        getRuntimeContext().getMetricGroup().gauge("itemStateCacheHits", () -> cache.hits());
        getRuntimeContext().getMetricGroup().gauge("itemStateCacheMisses", () -> cache.misses());
        getRuntimeContext().getMetricGroup().gauge("itemStateCacheWrites", () -> cache.flushedWrites());
    }

    @Override
    public void processElement(ItemTouch touch, Context ctx, Collector<JobEvent> out) throws Exception {
        String item = ctx.getCurrentKey();
        PopularityState s = counts.value(item);
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
        counts.update(item, s);
    }

    /** The items' counts with their cache, for {@link ItemPopularityOperator} to write behind (after open()). */
    CachedValueState<PopularityState> counts() {
        return counts;
    }

    /** Reads served by the cache so far (tests). */
    long cacheHits() {
        return counts.cache().hits();
    }
}
