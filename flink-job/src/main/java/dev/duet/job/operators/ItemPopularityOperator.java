package dev.duet.job.operators;

import dev.duet.job.model.ItemTouch;
import dev.duet.job.model.JobEvent;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * Runs {@link ItemPopularity} with its item cache in write-behind mode, as {@link
 * UserHistoryOperator} does for users: an item's count stays on the heap between checkpoints and
 * reaches the keyed state (RocksDB) when evicted and before every checkpoint barrier, so a popular
 * item costs one state write per checkpoint instead of a get and a put per interaction.
 */
public class ItemPopularityOperator extends KeyedProcessOperator<String, ItemTouch, JobEvent> {

    private static final long serialVersionUID = 1L;

    private transient BarrierFlushMetrics flushMetrics;

    public ItemPopularityOperator(ItemPopularity popularity) {
        super(popularity);
    }

    private ItemPopularity popularity() {
        return (ItemPopularity) getUserFunction();
    }

    @Override
    public void open() throws Exception {
        super.open();
        popularity().counts().enableWriteBehind(this);
        flushMetrics = new BarrierFlushMetrics(getMetricGroup(), "itemState");
    }

    /** The pre-barrier flush's histograms (after open()). */
    BarrierFlushMetrics flushMetrics() {
        return flushMetrics;
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        // Before the barrier: the snapshot that follows must hold every write made before it.
        flushMetrics.flush(popularity().counts());
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        popularity().counts().flush();
        super.finish();
    }
}
