package dev.duet.job.operators;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Times a write-behind cache's flush before each checkpoint barrier. The flush runs on the task
 * thread ahead of the barrier and is in none of the checkpoint figures the dashboard shows (not in
 * the synchronous part, which starts after it), yet records queue behind it; these histograms put
 * it on the dashboard: {@code <prefix>FlushMicros} and {@code <prefix>FlushedEntries} per flush.
 */
final class BarrierFlushMetrics {

    /** Flushes kept per histogram: a few minutes of checkpoints at the usual intervals. */
    private static final int WINDOW = 200;

    private final Histogram micros;
    private final Histogram entries;

    BarrierFlushMetrics(MetricGroup group, String prefix) {
        micros = group.histogram(prefix + "FlushMicros", new DescriptiveStatisticsHistogram(WINDOW));
        entries = group.histogram(prefix + "FlushedEntries", new DescriptiveStatisticsHistogram(WINDOW));
    }

    /** Flushes {@code state} and records how long it took and how many entries it wrote. */
    void flush(CachedValueState<?> state) throws Exception {
        long started = System.nanoTime();
        int written = state.flush();
        micros.update((System.nanoTime() - started) / 1_000);
        entries.update(written);
    }

    Histogram micros() {
        return micros;
    }

    Histogram entries() {
        return entries;
    }
}
