package dev.duet.job.operators;

import dev.duet.job.model.EventKind;
import dev.duet.job.model.JobEvent;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per item (keyed by item id): a popularity that decays with event time (half-life configurable).
 * Each interaction leaves with the popularity as it was before it (the gate's tail feature, no
 * leakage of the event itself) and the new popularity goes to {@link #UPDATES} for the user
 * operator's candidate generation.
 */
public class ItemPopularity extends KeyedProcessFunction<String, JobEvent, JobEvent> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<JobEvent> UPDATES = new OutputTag<>("popularity-updates") {};

    private final long halfLifeMs;
    private final Duration ttl;

    private transient ValueState<Double> count;
    private transient ValueState<Long> lastMs;

    public ItemPopularity(Duration halfLife, Duration ttl) {
        if (halfLife.isNegative() || halfLife.isZero()) {
            throw new IllegalArgumentException("popularity half-life must be positive");
        }
        this.halfLifeMs = halfLife.toMillis();
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Double> countDescriptor = new ValueStateDescriptor<>("popularity", Types.DOUBLE);
        ValueStateDescriptor<Long> lastDescriptor = new ValueStateDescriptor<>("popularity-time", Types.LONG);
        if (!ttl.isZero()) {
            StateTtlConfig config = StateTtlConfig.newBuilder(ttl).build();
            countDescriptor.enableTimeToLive(config);
            lastDescriptor.enableTimeToLive(config);
        }
        count = getRuntimeContext().getState(countDescriptor);
        lastMs = getRuntimeContext().getState(lastDescriptor);
    }

    @Override
    public void processElement(JobEvent event, Context ctx, Collector<JobEvent> out) throws Exception {
        Double c = count.value();
        Long last = lastMs.value();
        double before = 0;
        double after;
        long t = event.timestampMs;
        if (c == null || last == null) {
            after = 1;
            last = t;
        } else if (t >= last) {
            before = c * decay(t - last);
            after = before + 1;
            last = t;
        } else {
            // A late event: the popularity as of the latest time seen, plus its decayed weight.
            before = c;
            after = c + decay(last - t);
        }
        count.update(after);
        lastMs.update(last);
        event.itemPopularity = before;
        out.collect(event);

        JobEvent update = new JobEvent();
        update.kind = EventKind.POPULARITY;
        update.itemId = event.itemId;
        update.itemPopularity = after;
        update.timestampMs = last;
        ctx.output(UPDATES, update);
    }

    private double decay(long elapsedMs) {
        return Math.pow(0.5, (double) elapsedMs / halfLifeMs);
    }
}
