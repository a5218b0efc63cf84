package dev.duet.job.operators;

import dev.duet.job.model.ScoringTask;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;

/**
 * What the job's micro-batching operators (CRM scoring, candidate retrieval) share: a buffer that
 * is flushed when full, when its oldest entry has waited {@code maxDelay} (one processing-time timer
 * at a time), before every checkpoint barrier and at the end of input. Flushing before the barrier
 * is what lets the buffer hold no state: a checkpoint never sees a buffered task.
 */
public abstract class MicroBatchingOperator extends AbstractStreamOperator<ScoringTask>
        implements OneInputStreamOperator<ScoringTask, ScoringTask>, ProcessingTimeCallback, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    private transient boolean timerSet;

    /** Emits everything buffered; does nothing when the buffer is empty. */
    protected abstract void flush() throws Exception;

    /** Makes sure a flush comes within {@code maxDelayMs} (no new timer while one is pending). */
    protected final void flushWithin(long maxDelayMs) {
        if (!timerSet) {
            timerSet = true;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + maxDelayMs, this);
        }
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        timerSet = false;
        flush();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }
}
