package dev.duet.job.operators;

import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;

/**
 * A counter whose count another object keeps, e.g. a {@link dev.duet.job.scoring.ModelSwapper}
 * counting on its loader thread: Flink's {@code SimpleCounter} is not safe across threads, and
 * the metric stays a counter (numeric) for every reporter.
 */
final class SuppliedCounter implements Counter {

    private final LongSupplier count;

    SuppliedCounter(LongSupplier count) {
        this.count = count;
    }

    @Override
    public long getCount() {
        return count.getAsLong();
    }

    @Override
    public void inc() {
        throw new UnsupportedOperationException("counted by its owner");
    }

    @Override
    public void inc(long n) {
        throw new UnsupportedOperationException("counted by its owner");
    }

    @Override
    public void dec() {
        throw new UnsupportedOperationException("counted by its owner");
    }

    @Override
    public void dec(long n) {
        throw new UnsupportedOperationException("counted by its owner");
    }
}
